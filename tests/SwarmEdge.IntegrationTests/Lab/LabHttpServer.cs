using System.Net;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>
/// An HTTP server the test hosts on every address of the lab host (a backend outside the swarm, a stand-in
/// collector): each request is handed to the handler, which answers it; the server stops when disposed.
/// </summary>
internal sealed class LabHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();

    private LabHttpServer(int port, Func<HttpListenerContext, Task> handle)
    {
        _listener.Prefixes.Add($"http://+:{port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                await handle(context);
                context.Response.Close();
            }
        });
    }

    public static LabHttpServer Start(int port, Func<HttpListenerContext, Task> handle) => new(port, handle);

    public void Dispose() => _listener.Close();
}
