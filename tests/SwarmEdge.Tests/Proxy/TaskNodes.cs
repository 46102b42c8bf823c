using System.Net;
using System.Net.Sockets;

namespace SwarmEdge.Tests.Proxy;

/// <summary>
/// Real loopback sockets standing in for task addresses: a node that answers (a listener that accepts, and
/// counts what it accepted) and a lost node (a listener whose accept queue is full: the kernel drops further
/// SYNs without an answer, as a lost node's address does).
/// </summary>
internal sealed class TaskNodes : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private int _accepted;

    public int Accepted => Volatile.Read(ref _accepted);

    public IPEndPoint Answering()
    {
        var listener = Listen(backlog: 64);
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var connection = await listener.AcceptAsync();
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposed with the test.
            }
        });
        return (IPEndPoint)listener.LocalEndPoint!;
    }

    public IPEndPoint Lost()
    {
        // Backlog 0: the first connection fills the accept queue, and nobody accepts it.
        var listener = Listen(backlog: 0);
        var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(filler);
        filler.Connect(listener.LocalEndPoint!);
        return (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>A port nothing listens on: the node is there, the task is not (stopping).</summary>
    public IPEndPoint Closed()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private Socket Listen(int backlog)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(backlog);
        return socket;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
