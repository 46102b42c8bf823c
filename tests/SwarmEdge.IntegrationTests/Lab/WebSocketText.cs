using System.Net.WebSockets;
using System.Text;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>Text messages from the lab's WebSocket backend (its greeting names the task, then it echoes).</summary>
internal static class WebSocketText
{
    /// <summary>The next message; a close frame from the other side is an exception, not an empty message.</summary>
    public static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, ct);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new WebSocketException($"closed by the edge: {result.CloseStatus} {result.CloseStatusDescription}");
        }

        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
