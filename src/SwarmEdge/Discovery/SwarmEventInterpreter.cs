using Docker.DotNet.Models;

namespace SwarmEdge.Discovery;

/// <summary>
/// Turns a Docker event into what it means for us. There are no task events (moby#37403): a service event
/// or a container event of one of its tasks says "look at this service again"; a node event says "look at
/// everything". Everything else (exec events from health checks, images, volumes) is noise.
/// </summary>
internal static class SwarmEventInterpreter
{
    public const string ServiceIdLabel = "com.docker.swarm.service.id";

    public static DiscoverySignal? Interpret(Message message)
    {
        var attributes = message.Actor?.Attributes;
        switch (message.Type)
        {
            case "service" when !string.IsNullOrEmpty(message.Actor?.ID):
                return new DiscoverySignal(DiscoverySignalKind.ServiceRead, message.Actor.ID, Describe(message));
            case "node":
                return new DiscoverySignal(DiscoverySignalKind.FullRead, null, Describe(message));
            case "container" when IsTaskLifecycle(message.Action)
                                  && attributes is not null
                                  && attributes.TryGetValue(ServiceIdLabel, out var serviceId)
                                  && !string.IsNullOrEmpty(serviceId):
                return new DiscoverySignal(DiscoverySignalKind.ServiceRead, serviceId, Describe(message));
            default:
                return null;
        }
    }

    private static bool IsTaskLifecycle(string? action) =>
        action is "start" or "die" or "kill" or "oom" or "destroy"
        || (action?.StartsWith("health_status", StringComparison.Ordinal) ?? false);

    private static string Describe(Message message)
    {
        var text = $"{message.Type} {message.Action}";
        var attributes = message.Actor?.Attributes;
        if (attributes is null)
        {
            return text;
        }

        if (attributes.TryGetValue("name", out var name))
        {
            text += $" {name}";
        }

        if (attributes.TryGetValue("updatestate.new", out var update))
        {
            text += $" update={update}";
        }

        if (attributes.TryGetValue("replicas.new", out var replicas))
        {
            text += $" replicas={replicas}";
        }

        return text;
    }
}
