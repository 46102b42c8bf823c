using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SwarmEdge.Discovery;

/// <summary>
/// What one read of the routes file gave: its services, or the error that keeps the last good ones serving.
/// Services are what the catalog reads from the swarm, with addresses instead of tasks.
/// </summary>
internal sealed record RoutesFileRead(ImmutableArray<OptedInService> Services, string? Error)
{
    public static RoutesFileRead Failed(string error) => new([], error);
}

/// <summary>
/// SwarmEdge:Discovery:RoutesFile, read (pure): services outside the swarm, each with static addresses and the same
/// swarmedge.* labels a swarm service carries (routes, middlewares, health checks, limits), in YAML or JSON:
/// <code>
/// services:
///   erp:
///     addresses: [10.0.5.20, 10.0.5.21]
///     labels:
///       swarmedge.http.port: "8080"
///       swarmedge.http.host: erp.example.com
/// </code>
/// A file with anything wrong in its shape (not YAML, an unknown key, an address that is not an IP address) is not
/// used at all: the last good file keeps serving. A wrong label is the service's own error, as for a swarm service.
/// Middlewares its services declare are theirs; those under the top-level middlewares key are shared: any route
/// may name one as name@file (a tenant can only add them to its own routes, and the operator chose to share them).
/// </summary>
internal static partial class RoutesFile
{
    /// <summary>The "network" of a file service's endpoints: its addresses are reached as they are.</summary>
    public const string Network = "routes-file";

    /// <summary>File services are named &lt;name&gt;@file: no Docker service name holds an '@', so none can take one's place.</summary>
    public const string NameSuffix = "@file";

    /// <summary>The service that carries the file's shared middlewares (it routes nothing).</summary>
    public const string SharedMiddlewares = "middlewares" + NameSuffix;

    public const int MaxLength = 1024 * 1024;
    private const int MaxAddresses = 1000;

    public static bool IsFileService(string serviceName) => serviceName.EndsWith(NameSuffix, StringComparison.Ordinal);

    public static RoutesFileRead Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            return RoutesFileRead.Failed($"the file is over {MaxLength / 1024} KiB");
        }

        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            return RoutesFileRead.Failed($"line {ex.Start.Line}: {ex.Message}");
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new RoutesFileRead([], null);
        }

        if (yaml.Documents.Count > 1)
        {
            return RoutesFileRead.Failed("the file holds several YAML documents: put every service under one 'services' key");
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            return RoutesFileRead.Failed("the file is a mapping with a 'services' key");
        }

        if (Unknown(root, ["services", "middlewares"]) is { } unknownRoot)
        {
            return RoutesFileRead.Failed(unknownRoot);
        }

        var read = ImmutableArray.CreateBuilder<OptedInService>();
        if (root.Children.TryGetValue(new YamlScalarNode("middlewares"), out var middlewaresNode) && middlewaresNode is not YamlScalarNode { Value: null or "" })
        {
            if (ReadSharedMiddlewares(middlewaresNode) is var (shared, error) && error is not null)
            {
                return RoutesFileRead.Failed($"middlewares: {error}");
            }

            read.Add(shared!);
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("services"), out var servicesNode) || servicesNode is YamlScalarNode { Value: null or "" })
        {
            return new RoutesFileRead(read.ToImmutable(), null);
        }

        if (servicesNode is not YamlMappingNode services)
        {
            return RoutesFileRead.Failed(At(servicesNode, "'services' maps service names to their addresses and labels"));
        }

        foreach (var (key, value) in services.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!NameRegex().IsMatch(name))
            {
                return RoutesFileRead.Failed(At(key, $"service name '{name}': letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63"));
            }

            var (service, error) = ReadService(name, value);
            if (error is not null)
            {
                return RoutesFileRead.Failed($"service {name}: {error}");
            }

            read.Add(service!);
        }

        return new RoutesFileRead(read.ToImmutable(), null);
    }

    private static (OptedInService? Service, string? Error) ReadService(string name, YamlNode node)
    {
        if (node is not YamlMappingNode service)
        {
            return (null, At(node, "a service is a mapping with 'addresses' and 'labels'"));
        }

        if (Unknown(service, ["addresses", "labels"]) is { } unknown)
        {
            return (null, unknown);
        }

        var addresses = ImmutableArray.CreateBuilder<IPAddress>();
        if (service.Children.TryGetValue(new YamlScalarNode("addresses"), out var addressesNode))
        {
            if (addressesNode is not YamlSequenceNode list || list.Children.Count > MaxAddresses)
            {
                return (null, At(addressesNode, $"'addresses' is a list of up to {MaxAddresses} IP addresses"));
            }

            foreach (var item in list.Children)
            {
                var text = (item as YamlScalarNode)?.Value?.Trim() ?? "";
                if (!IPAddress.TryParse(text, out var address) || text.Contains('%') || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
                {
                    return (null, At(item, $"'{text}' is not an IP address (ports are the labels' swarmedge.http.port, host names are not resolved)"));
                }

                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
        }

        var labels = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (service.Children.TryGetValue(new YamlScalarNode("labels"), out var labelsNode))
        {
            if (labelsNode is not YamlMappingNode mapping)
            {
                return (null, At(labelsNode, "'labels' maps label keys to values, as a stack file's deploy.labels"));
            }

            foreach (var (labelKey, labelValue) in mapping.Children)
            {
                if (labelKey is not YamlScalarNode { Value: { Length: > 0 } key } || labelValue is not YamlScalarNode value)
                {
                    return (null, At(labelKey, "a label is a key and a plain value"));
                }

                labels[key] = value.Value ?? "";
            }
        }

        // Being in the file is the opt-in; swarmedge.enable=false turns a service off without removing it.
        if (!labels.ContainsKey(LabelKeys.Enable))
        {
            labels[LabelKeys.Enable] = "true";
        }

        return (new OptedInService(
            $"file:{name}",
            name + NameSuffix,
            DateTime.MinValue,
            "static",
            labels.ToImmutable(),
            [Network],
            false,
            addresses.Count,
            addresses.ToImmutable()), null);
    }

    /// <summary>
    /// middlewares: name: { kind.option: value } (secure-headers: { headers.response.set.X-Frame-Options: DENY }), read
    /// as the labels swarmedge.middlewares.&lt;name&gt;.&lt;kind&gt;.&lt;option&gt; of a service that routes nothing.
    /// </summary>
    private static (OptedInService? Service, string? Error) ReadSharedMiddlewares(YamlNode node)
    {
        if (node is not YamlMappingNode middlewares)
        {
            return (null, At(node, "'middlewares' maps middleware names to their kind.option: value settings"));
        }

        var labels = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels[LabelKeys.Enable] = "true";
        foreach (var (nameNode, settingsNode) in middlewares.Children)
        {
            var name = (nameNode as YamlScalarNode)?.Value ?? "";
            if (settingsNode is not YamlMappingNode settings || name.Length == 0 || name.Contains('.'))
            {
                return (null, At(nameNode, $"middleware '{name}' maps kind.option keys to values (headers.response.set.X-Frame-Options: DENY)"));
            }

            foreach (var (keyNode, valueNode) in settings.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key } || valueNode is not YamlScalarNode value)
                {
                    return (null, At(keyNode, $"middleware '{name}': a setting is a kind.option key and a plain value"));
                }

                labels[$"{LabelKeys.MiddlewaresPrefix}{name}.{key}"] = value.Value ?? "";
            }
        }

        return (new OptedInService("file:" + SharedMiddlewares, SharedMiddlewares, DateTime.MinValue, "static", labels.ToImmutable(), [Network], false, 0, []), null);
    }

    private static string? Unknown(YamlMappingNode mapping, string[] known)
    {
        var key = mapping.Children.Keys.FirstOrDefault(k => k is not YamlScalarNode scalar || !known.Contains(scalar.Value));
        return key is null ? null : At(key, $"unknown key '{(key as YamlScalarNode)?.Value}' (known: {string.Join(", ", known)})");
    }

    private static string At(YamlNode node, string problem) => $"line {node.Start.Line}: {problem}";

    // Not "middlewares": the shared middlewares' service holds that name.
    [GeneratedRegex(@"^(?!middlewares\z)[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\z")]
    private static partial Regex NameRegex();
}
