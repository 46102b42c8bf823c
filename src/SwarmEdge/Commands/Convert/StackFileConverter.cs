using System.Collections.Immutable;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Pure: rewrites a compose/stack file so that its services sit behind SwarmEdge instead of the routing mesh.
/// For each service that publishes ports in ingress mode: every such port gets SwarmEdge labels that route it
/// (PortPlan: HTTP routes for HTTP-looking ports, TCP routes from an edge entrypoint of the same number for the
/// others) and its entry goes; deploy.endpoint_mode becomes dnsrr (Swarm refuses dnsrr with ingress ports). A port
/// SwarmEdge cannot route (UDP, a range) stays on the routing mesh, and its service in vip mode: SwarmEdge reaches
/// tasks by their own addresses in either mode; a service with only such ports is left alone. Comments above the new labels
/// and lines in the report say what each port became, which TCP entrypoints the edge must open and which hosts
/// are placeholders. A service is left as it is when it set swarmedge.enable to false, or when its ports or
/// deploy are written in a way this cannot follow (an alias, a merge key on ports): each such case is in the
/// report. Existing swarmedge.* labels win over the ones this would add. The edits are spliced into the text at
/// the parser's offsets: every byte not edited stays as it was (comments, blank lines, quoting, line ends).
/// </summary>
internal static class StackFileConverter
{
    public static ConversionResult Convert(string text)
    {
        var source = YamlSource.Parse(text);
        var edits = new TextEdits();
        var services = ImmutableArray.CreateBuilder<ServiceConversion>();
        var warnings = new List<string>();
        var entrypoints = new List<string>();
        foreach (var document in source.Documents)
        {
            if (document is not YamlMapping root || root.Find("services") is not { Value: YamlMapping serviceMap })
            {
                continue;
            }

            var converted = false;
            foreach (var entry in serviceMap.Entries)
            {
                var result = new ServiceEdit(source, edits, entry).Convert(warnings, entrypoints);
                if (result is not null)
                {
                    services.Add(result);
                    converted |= result.Converted;
                }
            }

            if (converted)
            {
                RaiseVersion(source, edits, root, warnings);
            }
        }

        var output = edits.ApplyTo(text);
        // A file that ends without a line end still does, whatever was added at its end.
        if (!text.EndsWith('\n') && output.EndsWith(source.NewLine, StringComparison.Ordinal) && text.Length > 0)
        {
            output = output[..^source.NewLine.Length];
        }

        return new ConversionResult(output, services.ToImmutable(), [.. warnings], [.. entrypoints.Distinct()]);
    }

    /// <summary>
    /// deploy.endpoint_mode exists from compose file format 3.2 on, and docker stack deploy checks a file against
    /// the schema of the version it declares: a 3.0 or 3.1 file would be refused once it has endpoint_mode.
    /// </summary>
    private static void RaiseVersion(YamlSource source, TextEdits edits, YamlMapping root, List<string> warnings)
    {
        if (root.Find("version")?.Value is YamlScalar version && version.Value.Trim() is "3" or "3.0" or "3.1")
        {
            warnings.Add($"version {version.Value} raised to 3.2, the first compose file format with deploy.endpoint_mode");
            edits.Replace(version.Start, version.End, YamlText.Like(version, "3.2"));
        }
    }
}
