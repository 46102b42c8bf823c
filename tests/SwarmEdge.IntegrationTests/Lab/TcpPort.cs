using System.Net.Sockets;

namespace SwarmEdge.IntegrationTests.Lab;

internal static class TcpPort
{
    /// <summary>Whether a TCP connection to the port is accepted within the timeout (refused, reset or unanswered: no).</summary>
    public static async Task<bool> AcceptsAsync(string host, int port, TimeSpan timeout)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port).WaitAsync(timeout);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
