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
/// report. Existing swarmedge.* labels win over the ones this would add. Comments, key order and everything
/// else stay.
/// </summary>
internal static class StackFileConverter
{

    public static ConversionResult Convert(string text)
    {
        var file = YamlTreeReader.Read(text);
        var services = ImmutableArray.CreateBuilder<ServiceConversion>();
        var warnings = file.Lost.ToList();
        var entrypoints = new List<string>();
        foreach (var document in file.Documents)
        {
            if (document.Root is not YamlMapping root || root.Find("services")?.Value is not YamlMapping serviceMap)
            {
                continue;
            }

            var converted = false;
            foreach (var entry in serviceMap.Entries)
            {
                var result = ConvertService(entry, warnings, entrypoints);
                if (result is not null)
                {
                    services.Add(result);
                    converted |= result.Converted;
                }
            }

            if (converted)
            {
                RaiseVersion(root, warnings);
            }
        }

        return new ConversionResult(YamlTreeWriter.Write(file), services.ToImmutable(), [.. warnings], [.. entrypoints.Distinct()]);
    }

    private static ServiceConversion? ConvertService(YamlEntry entry, List<string> warnings, List<string> entrypoints)
    {
        var name = (entry.Key as YamlScalar)?.Value ?? "?";
        if (entry.Value is not YamlMapping service)
        {
            return entry.Value is YamlAlias ? Skipped(name, "the service is an alias of another; convert the anchored one") : null;
        }

        var portsEntry = service.Find("ports");
        if (portsEntry is null)
        {
            return null;
        }

        if (portsEntry.Value is not YamlSequence ports)
        {
            return Skipped(name, "its ports are not a list this can read (an alias or a merge?); left unchanged");
        }

        var parsed = ports.Items.Select(item => (Item: item, Port: Parse(item.Value))).ToList();
        if (parsed.FirstOrDefault(p => p.Port is null) is { Item: not null } unreadable)
        {
            return Skipped(name, $"port entry {ports.Items.IndexOf(unreadable.Item) + 1} is not one this can read; left unchanged");
        }

        var ingress = parsed.Where(p => p.Port!.Ingress).ToList();
        if (ingress.Count == 0)
        {
            return new ServiceConversion(name, false, "publishes in host mode only; unchanged");
        }

        var deployEntry = service.Find("deploy");
        if (deployEntry is not null && deployEntry.Value is not YamlMapping)
        {
            return Skipped(name, "its deploy section is not a mapping this can edit (an alias?); left unchanged");
        }

        var deploy = deployEntry?.Value as YamlMapping;
        var labelsEntry = deploy?.Find("labels");
        if (labelsEntry is not null && labelsEntry.Value is not (YamlMapping or YamlSequence))
        {
            return Skipped(name, "its deploy.labels are not a mapping or a list this can edit; left unchanged");
        }

        var existing = ReadLabels(labelsEntry?.Value);
        if (existing.TryGetValue(LabelKeys.Enable, out var enable) && string.Equals(enable, "false", StringComparison.OrdinalIgnoreCase))
        {
            return Skipped(name, $"{LabelKeys.Enable} is false; left unchanged");
        }

        var plan = PortPlan.For(name, ingress.Select(p => p.Port!).ToList(), existing);
        if (plan.All(a => a.Route == PortRoute.RoutingMesh))
        {
            return Skipped(name, $"only ports SwarmEdge cannot route ({string.Join(", ", plan.Select(a => a.Port))}: UDP or ranges); left unchanged");
        }

        // The edit: routed ports leave the routing mesh; the ones SwarmEdge cannot route stay on it.
        foreach (var ((item, _), assignment) in ingress.Zip(plan))
        {
            if (assignment.Route != PortRoute.RoutingMesh)
            {
                ports.Items.Remove(item);
            }
        }

        if (ports.Items.Count == 0)
        {
            service.Entries.Remove(portsEntry);
        }

        if (deploy is null)
        {
            deploy = Yaml.BlockMapping();
            service.Entries.Add(new YamlEntry(Yaml.Plain("deploy"), deploy));
        }

        var http = plan.Where(a => a.Route == PortRoute.Http).ToList();
        var tcp = plan.Where(a => a.Route == PortRoute.Tcp).ToList();
        var mesh = plan.Where(a => a.Route == PortRoute.RoutingMesh).ToList();

        // Swarm refuses dnsrr with routing-mesh ports: a service that keeps some stays in vip mode, which SwarmEdge
        // does not mind (it sends to the tasks' own addresses).
        if (mesh.Count == 0)
        {
            SetEndpointMode(deploy);
        }

        var comments = new List<string>
        {
            $"swarmedge convert: was published through the routing mesh as {string.Join(", ", ingress.Select(p => p.Port))}",
        };
        if (http.Any(a => a.Labels.Any(l => l.Value.EndsWith("." + PortPlan.Placeholder, StringComparison.Ordinal))))
        {
            comments.Add($"swarmedge convert: replace the *.{PortPlan.Placeholder} hosts with the names clients use (or add a path rule)");
        }

        entrypoints.AddRange(tcp.Select(a => a.Entrypoint));
        if (tcp.Count > 0)
        {
            comments.Add($"swarmedge convert: TCP entrypoint{(tcp.Count > 1 ? "s" : "")} {string.Join(", ", tcp.Select(a => a.Entrypoint))}: " +
                         "add to SwarmEdge:Tcp:Entrypoints and publish on the edge");
            warnings.Add($"{name}: TCP entrypoint{(tcp.Count > 1 ? "s" : "")} {string.Join(", ", tcp.Select(a => a.Entrypoint))} " +
                         "must be in SwarmEdge:Tcp:Entrypoints and published by the edge");
        }

        if (mesh.Count > 0)
        {
            comments.Add($"swarmedge convert: {string.Join(", ", mesh.Select(a => a.Port))} stay on the routing mesh (SwarmEdge routes " +
                         "single TCP ports only), so the service stays in vip mode");
            warnings.Add($"{name}: {string.Join(", ", mesh.Select(a => a.Port))} not routable by SwarmEdge: left on the routing mesh, " +
                         "open on every node; the service stays in vip mode");
        }

        AddLabels(deploy, labelsEntry, existing, [.. plan.SelectMany(a => a.Labels)], comments);

        var detail = (mesh.Count == 0 ? "endpoint_mode dnsrr; " : "endpoint_mode unchanged (ports left on the routing mesh); ") +
                     string.Join("; ", plan.Select(a => $"{a.Port} -> {a.Describe()}"));
        return new ServiceConversion(name, true, detail);
    }

    private static ServiceConversion Skipped(string name, string why) => new(name, false, why);

    private static ComposePort? Parse(YamlNode item)
    {
        switch (item)
        {
            case YamlScalar scalar:
                return ComposePort.ParseShort(scalar.Value);
            case YamlMapping mapping:
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in mapping.Entries)
                {
                    if (entry.Key is not YamlScalar key || entry.Value is not YamlScalar value)
                    {
                        return null;
                    }

                    fields[key.Value] = value.Value;
                }

                return ComposePort.ParseLong(fields);
            default:
                return null;
        }
    }

    /// <summary>deploy.labels as a dictionary, from either form: a mapping, or a list of "key=value".</summary>
    private static Dictionary<string, string> ReadLabels(YamlNode? labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (labels)
        {
            case YamlMapping map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Key is YamlScalar key)
                    {
                        result[key.Value] = (entry.Value as YamlScalar)?.Value ?? "";
                    }
                }

                break;
            case YamlSequence list:
                foreach (var item in list.Items)
                {
                    if (item.Value is YamlScalar { Value: var text })
                    {
                        var equals = text.IndexOf('=');
                        result[equals < 0 ? text : text[..equals]] = equals < 0 ? "" : text[(equals + 1)..];
                    }
                }

                break;
        }

        return result;
    }

    private static void SetEndpointMode(YamlMapping deploy)
    {
        var mode = deploy.Find("endpoint_mode");
        if (mode?.Value is YamlScalar scalar)
        {
            scalar.Event = Yaml.WithValue(scalar.Event, "dnsrr");
        }
        else if (mode is not null)
        {
            mode.Value = Yaml.Plain("dnsrr");
        }
        else
        {
            // Before the labels when there are some: they tend to be long, and the mode reads better near the top.
            var labels = deploy.Find("labels");
            var at = labels is null ? deploy.Entries.Count : deploy.Entries.IndexOf(labels);
            deploy.Entries.Insert(at, new YamlEntry(Yaml.Plain("endpoint_mode"), Yaml.Plain("dnsrr")));
        }
    }

    private static void AddLabels(
        YamlMapping deploy, YamlEntry? labelsEntry, Dictionary<string, string> existing, List<(string Key, string Value)> labels, List<string> comments)
    {
        var add = new List<(string Key, string Value)>();
        if (!existing.ContainsKey(LabelKeys.Enable))
        {
            add.Add((LabelKeys.Enable, "true"));
        }

        add.AddRange(labels);

        var empty = labelsEntry?.Value is YamlMapping { Entries.Count: 0 } or YamlSequence { Items.Count: 0 };
        if (labelsEntry is null || empty)
        {
            // No labels yet (or "labels: {}"): a block mapping, the form the README uses.
            var map = Yaml.BlockMapping();
            if (labelsEntry is null)
            {
                deploy.Entries.Add(new YamlEntry(Yaml.Plain("labels"), map));
            }
            else
            {
                labelsEntry.Value = map;
            }

            labelsEntry = deploy.Find("labels")!;
        }

        switch (labelsEntry.Value)
        {
            case YamlMapping map:
                foreach (var (key, value) in add)
                {
                    map.Entries.Add(new YamlEntry(Yaml.Plain(key), Yaml.Quoted(value)));
                }

                LeadWith(add.Count > 0 ? map.Entries[^add.Count].Leading : labelsEntry.Leading, comments);
                break;
            case YamlSequence list:
                // Same quoting as the list's own items, so the new lines look like the old ones.
                var like = list.Items.Select(i => i.Value).OfType<YamlScalar>().FirstOrDefault()?.Event;
                foreach (var (key, value) in add)
                {
                    var scalar = like is null ? Yaml.Plain($"{key}={value}") : new YamlScalar(Yaml.WithValue(like, $"{key}={value}"));
                    list.Items.Add(new YamlItem(scalar));
                }

                LeadWith(add.Count > 0 ? list.Items[^add.Count].Leading : labelsEntry.Leading, comments);
                break;
        }
    }

    private static void LeadWith(List<YamlDotNet.Core.Events.Comment> leading, List<string> comments) =>
        leading.AddRange(comments.Select(Yaml.BlockComment));

    /// <summary>
    /// deploy.endpoint_mode exists from compose file format 3.2 on, and docker stack deploy checks a file against
    /// the schema of the version it declares: a 3.0 or 3.1 file would be refused once it has endpoint_mode.
    /// </summary>
    private static void RaiseVersion(YamlMapping root, List<string> warnings)
    {
        if (root.Find("version")?.Value is YamlScalar version && version.Value.Trim() is "3" or "3.0" or "3.1")
        {
            warnings.Add($"version {version.Value} raised to 3.2, the first compose file format with deploy.endpoint_mode");
            version.Event = Yaml.WithValue(version.Event, "3.2");
        }
    }
}
