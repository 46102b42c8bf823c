namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>A running task as the swarm reports it.</summary>
internal sealed record LabTask(string Id, string NodeId, string ContainerId);

/// <summary>
/// Creates and drives real swarm services with the docker CLI. Every service is a dnsrr service of the
/// whoami image, whose tasks answer "&lt;service&gt;.&lt;slot&gt;.&lt;task id&gt; &lt;uri&gt;", so a response names its task.
/// </summary>
internal sealed class SwarmServices(string network, string? dockerHost = null) : IAsyncDisposable
{
    public const string Image = "swarmedge-lab/whoami:latest";
    // Tests create services in parallel (Task.WhenAll): a plain list lost one of TenantTests' attackers, whose
    // "*.test" then outlived the test and took the hosts of every later test on the shared edge.
    private readonly List<string> _created = [];
    private readonly Lock _lock = new();

    public string Network => network;

    public static string UniqueName(string prefix) => $"it-{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    public Task<string> CreateAsync(string name, int replicas, IReadOnlyDictionary<string, string> labels, params string[] extra) =>
        CreateFromAsync(Image, name, replicas, labels, extra);

    /// <summary>A dnsrr service of another lab image (swarmedge-lab/tcpecho:latest, swarmedge-lab/postgres:latest).</summary>
    public Task<string> CreateFromAsync(string image, string name, int replicas, IReadOnlyDictionary<string, string> labels, params string[] extra) =>
        CreateAsync(image, [], name, replicas, labels, extra);

    /// <summary>A dnsrr service of the given image that runs the given command (after the image, as docker service create takes it).</summary>
    public async Task<string> CreateAsync(string image, string[] command, string name, int replicas, IReadOnlyDictionary<string, string> labels, params string[] extra)
    {
        var args = new List<string>
        {
            "service", "create", "--detach", "--name", name, "--network", network, "--endpoint-mode", "dnsrr",
            "--replicas", replicas.ToString(), "--hostname", "{{.Task.Name}}", "--stop-grace-period", "10s",
        };
        foreach (var (key, value) in labels)
        {
            args.Add("--label");
            args.Add($"{key}={value}");
        }

        args.AddRange(extra);
        args.Add(image);
        args.AddRange(command);
        lock (_lock)
        {
            _created.Add(name);
        }

        await DockerAsync(args.ToArray());
        await WaitForRunningAsync(name, replicas);
        return name;
    }

    public static Dictionary<string, string> Labels(int port = 80, params (string Key, string Value)[] more)
    {
        var labels = new Dictionary<string, string> { ["swarmedge.enable"] = "true", ["swarmedge.http.port"] = port.ToString() };
        foreach (var (key, value) in more)
        {
            labels[key] = value;
        }

        return labels;
    }

    public async Task<IReadOnlyList<LabTask>> RunningTasksAsync(string service)
    {
        var ids = (await DockerAsync("service", "ps", service, "--no-trunc", "--filter", "desired-state=running",
            "--format", "{{.ID}}")).Trimmed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0)
        {
            return [];
        }

        var lines = (await DockerAsync(["inspect", "--format",
            "{{.ID}} {{.Status.State}} {{with index . \"NodeID\"}}{{.}}{{else}}-{{end}} {{with index .Status \"ContainerStatus\"}}{{.ContainerID}}{{else}}-{{end}}", .. ids])).Trimmed.Split('\n');
        return lines.Select(l => l.Split(' '))
            .Where(f => f.Length == 4 && f[1] == "running")
            .Select(f => new LabTask(f[0], f[2], f[3]))
            .ToList();
    }

    /// <summary>When Docker says the task entered its current state (running, for a running task).</summary>
    public async Task<DateTime> StateSinceAsync(string taskId) =>
        DateTime.Parse((await DockerAsync("inspect", "--format", "{{.Status.Timestamp.Format \"2006-01-02T15:04:05.000000000Z07:00\"}}", taskId)).Trimmed,
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

    public async Task WaitForRunningAsync(string service, int replicas, TimeSpan? timeout = null) =>
        await Eventually.HoldsAsync(
            async () => (await RunningTasksAsync(service)).Count == replicas,
            timeout ?? TimeSpan.FromSeconds(60),
            $"{service} has {replicas} running tasks",
            TimeSpan.FromMilliseconds(250));

    public Task ScaleAsync(string service, int replicas) =>
        DockerAsync("service", "scale", "--detach", $"{service}={replicas}");

    /// <summary>docker service update --force, waiting (as the CLI does) until the update converged.</summary>
    public Task UpdateForceAsync(string service) =>
        DockerAsync("service", "update", "--force", "--detach=false", "--quiet", service);

    public Task UpdateAsync(string service, params string[] args) =>
        DockerAsync(["service", "update", "--detach", .. args, service]);

    public async Task RemoveAsync(string service)
    {
        await Shell.RunAsync("docker", Host(["service", "rm", service]), check: false);
        lock (_lock)
        {
            _created.Remove(service);
        }
    }

    public Task<ShellResult> DockerAsync(params string[] args) => Shell.RunAsync("docker", Host(args));

    private IEnumerable<string> Host(IEnumerable<string> args) => dockerHost is null ? args : ["-H", dockerHost, .. args];

    public async ValueTask DisposeAsync()
    {
        List<string> created;
        lock (_lock)
        {
            created = [.. _created];
        }

        foreach (var name in created)
        {
            await RemoveAsync(name);
        }
    }
}
