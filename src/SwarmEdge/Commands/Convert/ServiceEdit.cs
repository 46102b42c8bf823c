using SwarmEdge.Catalog.Traefik;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// One service of a stack file put behind SwarmEdge (see StackFileConverter): decides from its ports and
/// labels what changes and hands the text edits to the editor.
/// </summary>
internal sealed class ServiceEdit(YamlSource source, TextEdits edits, YamlEntry entry)
{
    private readonly YamlEditor _editor = new(source, edits);
    private readonly string _name = entry.Name ?? "?";

    public ServiceConversion? Convert(List<string> warnings, List<string> entrypoints)
    {
        if (entry.Value is not YamlMapping service)
        {
            return entry.Value is YamlAlias ? Skipped("the service is an alias of another; convert the anchored one") : null;
        }

        var portsEntry = service.Find("ports");
        if (portsEntry is null)
        {
            return ConvertTraefik(service, warnings);
        }

        if (service.IsFlow)
        {
            return Skipped("the service is written in flow style ({...}); left unchanged");
        }

        // A key merged in ("<<: *common") would be overridden by the one this adds, without a word: not edited.
        if (HasMerge(service))
        {
            return Skipped("it merges keys from an anchor (<<); convert the anchored mapping or write the keys out; left unchanged");
        }

        if (portsEntry.Value is not YamlSequence ports)
        {
            return Skipped("its ports are not a list this can read (an alias or a merge?); left unchanged");
        }

        var parsed = ports.Items.Select(item => (Item: item, Port: Parse(item))).ToList();
        if (parsed.FindIndex(p => p.Port is null) is var unreadable and >= 0)
        {
            return Skipped($"port entry {unreadable + 1} is not one this can read; left unchanged");
        }

        var ingress = parsed.Where(p => p.Port!.Ingress).ToList();
        if (ingress.Count == 0)
        {
            return new ServiceConversion(_name, false, "publishes in host mode only; unchanged");
        }

        var deployEntry = service.Find("deploy");
        if (deployEntry is not null && deployEntry.Value is not YamlMapping)
        {
            return Skipped("its deploy section is not a mapping this can edit (an alias?); left unchanged");
        }

        var deploy = deployEntry?.Value as YamlMapping;
        var labelsEntry = deploy?.Find("labels");
        if ((deploy is not null && HasMerge(deploy)) || (labelsEntry?.Value is YamlMapping labelMap && HasMerge(labelMap)))
        {
            return Skipped("its deploy or deploy.labels merge keys from an anchor (<<); left unchanged");
        }
        if (labelsEntry is not null && labelsEntry.Value is not (YamlMapping or YamlSequence))
        {
            return Skipped("its deploy.labels are not a mapping or a list this can edit; left unchanged");
        }

        var existing = ReadLabels(labelsEntry?.Value);
        if (existing.TryGetValue(LabelKeys.Enable, out var enable) && string.Equals(enable, "false", StringComparison.OrdinalIgnoreCase))
        {
            return Skipped($"{LabelKeys.Enable} is false; left unchanged");
        }

        var plan = PortPlan.For(_name, ingress.Select(p => p.Port!).ToList(), existing);
        if (plan.All(a => a.Route == PortRoute.RoutingMesh))
        {
            return Skipped($"only ports SwarmEdge cannot route ({string.Join(", ", plan.Select(a => a.Port))}: UDP or ranges); left unchanged");
        }

        // Routed ports leave the routing mesh; the ones SwarmEdge cannot route stay on it.
        var leaving = ingress.Zip(plan).Where(p => p.Second.Route != PortRoute.RoutingMesh).Select(p => p.First.Item).ToHashSet();
        if (leaving.Count == ports.Items.Count)
        {
            _editor.Remove(service, portsEntry);
        }
        else
        {
            _editor.Remove(ports, leaving);
        }

        var http = plan.Where(a => a.Route == PortRoute.Http).ToList();
        var tcp = plan.Where(a => a.Route == PortRoute.Tcp).ToList();
        var mesh = plan.Where(a => a.Route == PortRoute.RoutingMesh).ToList();

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
            warnings.Add($"{_name}: TCP entrypoint{(tcp.Count > 1 ? "s" : "")} {string.Join(", ", tcp.Select(a => a.Entrypoint))} " +
                         "must be in SwarmEdge:Tcp:Entrypoints and published by the edge");
        }

        if (mesh.Count > 0)
        {
            comments.Add($"swarmedge convert: {string.Join(", ", mesh.Select(a => a.Port))} stay on the routing mesh (SwarmEdge routes " +
                         "single TCP ports only), so the service stays in vip mode");
            warnings.Add($"{_name}: {string.Join(", ", mesh.Select(a => a.Port))} not routable by SwarmEdge: left on the routing mesh, " +
                         "open on every node; the service stays in vip mode");
        }

        var labels = new List<(string Key, string Value)>();
        if (!existing.ContainsKey(LabelKeys.Enable))
        {
            labels.Add((LabelKeys.Enable, "true"));
        }

        labels.AddRange(plan.SelectMany(a => a.Labels));

        // Swarm refuses dnsrr with routing-mesh ports: a service that keeps some stays in vip mode, which SwarmEdge
        // does not mind (it sends to the tasks' own addresses).
        var dnsrr = mesh.Count == 0;
        if (deploy is null)
        {
            AddDeploy(service, dnsrr, comments, labels);
        }
        else
        {
            if (dnsrr)
            {
                SetEndpointMode(deploy, labelsEntry);
            }

            AddLabels(deployEntry!, deploy, labelsEntry, comments, labels);
        }

        var detail = (dnsrr ? "endpoint_mode dnsrr; " : "endpoint_mode unchanged (ports left on the routing mesh); ") +
                     string.Join("; ", plan.Select(a => $"{a.Port} -> {a.Describe()}"));
        return new ServiceConversion(_name, true, detail);
    }

    private ServiceConversion Skipped(string why) => new(_name, false, why);

    /// <summary>
    /// A service routed by Traefik's labels (no published ports: Traefik reached its tasks): the SwarmEdge labels they
    /// mean are added beside them (SwarmEdge reads its own first, so Traefik's may stay while both run). Labels that
    /// SwarmEdge cannot serve as written leave the service unchanged, each said on stderr.
    /// </summary>
    private ServiceConversion? ConvertTraefik(YamlMapping service, List<string> warnings)
    {
        if (service.Find("deploy") is not { Value: YamlMapping deploy } deployEntry || service.IsFlow || HasMerge(deploy))
        {
            return null;
        }

        var labelsEntry = deploy.Find("labels");
        var existing = ReadLabels(labelsEntry?.Value);
        var translation = TraefikLabels.Translate(existing);
        if (!translation.Enabled || existing.ContainsKey(LabelKeys.Enable) || labelsEntry?.Value is YamlMapping { } map && HasMerge(map))
        {
            return translation.Enabled && existing.ContainsKey(LabelKeys.Enable) ? Skipped($"it has {LabelKeys.Enable} already; its Traefik labels left as they are") : null;
        }

        if (translation.Errors.Length > 0)
        {
            warnings.AddRange(translation.Errors.Select(e => $"{_name}: {e}"));
            return Skipped($"{translation.Errors.Length} Traefik label{(translation.Errors.Length > 1 ? "s" : "")} SwarmEdge cannot serve as written (above); left unchanged");
        }

        warnings.AddRange(translation.Warnings.Select(w => $"{_name}: {w}"));
        var comments = new List<string> { "swarmedge convert: from the traefik.* labels (SwarmEdge reads these; the Traefik ones may stay while both run)" };
        comments.AddRange(translation.Warnings.Select(w => $"swarmedge convert: {w}"));
        AddLabels(deployEntry, deploy, labelsEntry, comments, [.. translation.Labels.Select(l => (l.Key, l.Value))]);
        var routers = translation.Labels.Keys.Count(k => k.StartsWith(LabelKeys.RoutersPrefix, StringComparison.Ordinal) && k.EndsWith(".port", StringComparison.Ordinal));
        return new ServiceConversion(_name, true, $"from Traefik labels: {routers} route{(routers == 1 ? "" : "s")}, {translation.Labels.Count} labels");
    }

    private static bool HasMerge(YamlMapping mapping) => mapping.Entries.Any(e => e.Key is YamlScalar { Value: "<<", Style: YamlDotNet.Core.ScalarStyle.Plain });

    private void AddDeploy(YamlMapping service, bool dnsrr, List<string> comments, List<(string Key, string Value)> labels)
    {
        var column = _editor.KeyColumn(service, entry.Key);
        var inner = column + _editor.IndentStep;
        var deploy = new List<(string Key, string Value)>();
        if (dnsrr)
        {
            deploy.Add(("endpoint_mode", "dnsrr"));
        }

        deploy.Add(("labels", _editor.Block(inner + _editor.IndentStep, comments, Quoted(labels))));
        _editor.Append(service, column, [], [("deploy", _editor.Block(inner, [], deploy))]);
    }

    private void SetEndpointMode(YamlMapping deploy, YamlEntry? labelsEntry)
    {
        switch (deploy.Find("endpoint_mode"))
        {
            case { Value: YamlScalar scalar }:
                _editor.Replace(scalar, YamlText.Like(scalar, "dnsrr"));
                break;
            case { } mode:
                _editor.Replace(mode.Value, "dnsrr");
                break;
            // Before the labels when there are some: they tend to be long, and the mode reads better near the top.
            case null when labelsEntry is not null:
                _editor.InsertBefore(deploy, labelsEntry, "endpoint_mode", "dnsrr");
                break;
            case null:
                _editor.Append(deploy, _editor.KeyColumn(deploy, entry.Key), [], [("endpoint_mode", "dnsrr")]);
                break;
        }
    }

    private void AddLabels(YamlEntry deployEntry, YamlMapping deploy, YamlEntry? labelsEntry, List<string> comments, List<(string Key, string Value)> labels)
    {
        if (labels.Count == 0)
        {
            // The labels already there route every port: the comments go above them.
            if (labelsEntry is not null && !deploy.IsFlow)
            {
                _editor.CommentAbove(labelsEntry, comments);
            }

            return;
        }

        switch (labelsEntry?.Value)
        {
            case null when deploy.IsFlow:
                _editor.Append(deploy, 0, [], [("labels", "{" + string.Join(", ", Quoted(labels).Select(l => $"{l.Key}: {l.Value}")) + "}")]);
                break;
            case null:
                var column = _editor.KeyColumn(deploy, deployEntry.Key);
                _editor.Append(deploy, column, [], [("labels", _editor.Block(column + _editor.IndentStep, comments, Quoted(labels)))]);
                break;
            // "labels: {}" or "[]": a block mapping, the form the README uses (unless the deploy around it is flow).
            case YamlMapping { IsFlow: true, Entries.Count: 0 } or YamlSequence { IsFlow: true, Items.Count: 0 }
                when !deploy.IsFlow && _editor.TryReplaceWithBlock(labelsEntry!, comments, Quoted(labels)):
                break;
            case YamlMapping map:
                _editor.Append(map, map.Entries.Count > 0 ? source.Column(map.Entries[0].Key.Start) : 0, comments, Quoted(labels));
                break;
            case YamlSequence list:
                // Same quoting as the list's own items, so the new lines look like the old ones; in a flow list always
                // quoted, as "{" and "}" (a "${VAR}" value) end a plain scalar there.
                var like = list.Items.OfType<YamlScalar>().FirstOrDefault();
                _editor.Append(list, comments, [.. labels.Select(l => like is null || (list.IsFlow && like.Style == YamlDotNet.Core.ScalarStyle.Plain)
                    ? list.IsFlow ? YamlText.Quoted($"{l.Key}={l.Value}") : $"{l.Key}={l.Value}"
                    : YamlText.Like(like, $"{l.Key}={l.Value}"))]);
                break;
        }
    }

    private static List<(string Key, string Value)> Quoted(List<(string Key, string Value)> labels) =>
        [.. labels.Select(l => (l.Key, YamlText.Quoted(l.Value)))];

    private static ComposePort? Parse(YamlNode item)
    {
        switch (item)
        {
            case YamlScalar scalar:
                return ComposePort.ParseShort(scalar.Value);
            case YamlMapping mapping:
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var field in mapping.Entries)
                {
                    if (field.Key is not YamlScalar key || field.Value is not YamlScalar value)
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
                foreach (var label in map.Entries)
                {
                    if (label.Key is YamlScalar key)
                    {
                        result[key.Value] = (label.Value as YamlScalar)?.Value ?? "";
                    }
                }

                break;
            case YamlSequence list:
                foreach (var item in list.Items)
                {
                    if (item is YamlScalar { Value: var text })
                    {
                        var equals = text.IndexOf('=');
                        result[equals < 0 ? text : text[..equals]] = equals < 0 ? "" : text[(equals + 1)..];
                    }
                }

                break;
        }

        return result;
    }
}
