namespace SwarmEdge;

internal sealed class DockerOptions
{
    /// <summary>
    /// Docker Engine API endpoints of swarm managers, tried in order: unix:///path or tcp://host:port.
    /// Several managers keep SwarmEdge informed when one of them is lost. Default: unix:///var/run/docker.sock.
    /// </summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>Time budget of one API request (list calls, not the event stream).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With several endpoints: a request not answered after this long is also sent to the next endpoint, and
    /// the first answer wins (and that endpoint becomes the current one). A manager cut off from the swarm
    /// keeps its socket open and answers nothing; this bounds what it costs, below RequestTimeout.
    /// </summary>
    public TimeSpan HedgeAfter { get; set; } = TimeSpan.FromSeconds(1);
}
