namespace SwarmEdge;

internal sealed class TcpOptions
{
    /// <summary>
    /// Edge ports that accept TCP connections for services with swarmedge.tcp.* labels. Ops decide what the
    /// edge exposes: a label can only pick one of these ports, never open another.
    /// </summary>
    public List<int> Entrypoints { get; set; } = [];

    /// <summary>Time to connect to a task; a failed connect moves to another task.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tasks tried for one client connection before it is closed (in each round of RefusedWait).</summary>
    public int ConnectAttempts { get; set; } = 3;

    /// <summary>
    /// When every task refused a connection, how long from the client's arrival it waits for one to listen (new
    /// rounds after 50, 100, 200, then every 400 ms); zero turns the wait off.
    /// </summary>
    public TimeSpan RefusedWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection with no bytes either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Connections to a task that left the rotation are closed (FIN to both sides) this long after it left,
    /// unless the task closes them first: a lost node would otherwise leave them hanging forever.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a task that refused or timed out a connect is skipped while others remain.</summary>
    public TimeSpan FailedTaskCooldown { get; set; } = TimeSpan.FromSeconds(10);
}
