using System.Collections.Immutable;

namespace SwarmEdge.Commands.Convert;

/// <param name="TcpEntrypoints">Edge ports the converted services' TCP routes need (SwarmEdge:Tcp:Entrypoints).</param>
internal sealed record ConversionResult(
    string Output, ImmutableArray<ServiceConversion> Services, ImmutableArray<string> Warnings, ImmutableArray<string> TcpEntrypoints);
