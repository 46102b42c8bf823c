using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwarmEdge;

/// <summary>
/// Source-generated JSON metadata for every type SwarmEdge serializes (admin API and dashboard documents, route
/// metadata, ACME payloads), with the web defaults (camelCase) the reflection-based calls used: Native AOT has no
/// reflection-based serializer.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Admin.AdminApi.ServicesDocument))]
[JsonSerializable(typeof(Admin.AdminApi.ServiceDocument), TypeInfoPropertyName = "AdminServiceDocument")]
[JsonSerializable(typeof(IReadOnlyList<Tls.CertificateStatus>))]
[JsonSerializable(typeof(IReadOnlyList<Acme.AcmeHostStatus>))]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.SummaryDocument))]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.ServicePage))]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.ServiceDocument), TypeInfoPropertyName = "DashboardServiceDocument")]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.TasksDocument))]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.TrafficDocument))]
[JsonSerializable(typeof(Admin.Dashboard.DashboardApi.ErrorDocument))]
[JsonSerializable(typeof(IEnumerable<Discovery.SwarmEventEntry>))]
[JsonSerializable(typeof(Catalog.Middleware[]))]
[JsonSerializable(typeof(ImmutableArray<string>))]
[JsonSerializable(typeof(ImmutableArray<Catalog.HeaderChange>))]
[JsonSerializable(typeof(Acme.CertificatePayload))]
[JsonSerializable(typeof(Acme.OrderPayload))]
[JsonSerializable(typeof(Acme.FailurePayload))]
[JsonSerializable(typeof(Acme.RenewalPayload))]
[JsonSerializable(typeof(Acme.AccountPayload))]
internal sealed partial class SwarmEdgeJsonContext : JsonSerializerContext;
