namespace SwarmEdge.Proxy.Tcp;

/// <summary>
/// The routes of one entrypoint: by TLS server name (exact, then a one-label wildcard), and the plain route that
/// takes every other connection (none: such connections are closed).
/// </summary>
internal sealed record TcpEntrypointRoutes(TcpTarget? Plain, EquatableDictionary<string, TcpTarget> BySni)
{
    public bool HasSni => !BySni.IsEmpty;

    public IEnumerable<TcpTarget> Targets => BySni.Values.Distinct().Concat(Plain is null ? [] : [Plain]);

    public TcpTarget? Find(string? serverName)
    {
        if (serverName is null)
        {
            return Plain;
        }

        if (BySni.TryGetValue(serverName, out var exact))
        {
            return exact;
        }

        var dot = serverName.IndexOf('.');
        return dot > 0 && BySni.TryGetValue("*" + serverName[dot..], out var wildcard) ? wildcard : Plain;
    }
}
