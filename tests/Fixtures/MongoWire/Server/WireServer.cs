using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MongoDB.Bson;
using MongoWire.Wire;

namespace MongoWire.Server;

/// <summary>TCP listener: one async loop per connection, requests handled in order per connection.</summary>
internal sealed class WireServer
{
    private readonly TcpListener _listener;
    private readonly bool _verbose;
    private int _nextConnectionId;

    private CommandDispatcher _dispatcher;

    public WireServer(IPAddress address, int port, bool verbose)
    {
        _listener = new TcpListener(address, port);
        _verbose = verbose;
    }

    /// <summary>Binds the port (so a replica-set member can name itself host:port) without serving yet.</summary>
    public int Bind()
    {
        _listener.Start(backlog: 512);
        return ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public void Serve(CommandDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // a client that vanished between SYN and accept
            }

            client.NoDelay = true;
            var connection = new ConnectionState(Interlocked.Increment(ref _nextConnectionId));
            _ = Task.Run(() => ServeConnectionAsync(client, connection));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client, ConnectionState connection)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (true)
                {
                    var request = await WireReader.ReadAsync(stream, CancellationToken.None).ConfigureAwait(false);
                    if (request == null)
                    {
                        return;
                    }

                    var reply = await _dispatcher.ExecuteAsync(request.Command, request.Database, connection).ConfigureAwait(false);
                    if (_verbose)
                    {
                        Console.Error.WriteLine($"[conn{connection.Id}] {request.Database} {request.Command.ToJson()} -> {reply.ToJson()}");
                    }

                    if (!request.MoreToCome)
                    {
                        var bytes = WireWriter.BuildReply(request, reply);
                        await stream.WriteAsync(bytes).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or EndOfStreamException or SocketException or ObjectDisposedException)
            {
                // The driver drops monitor sockets abruptly; that is not an error.
            }
            catch (WireFormatException ex)
            {
                Console.Error.WriteLine($"[conn{connection.Id}] closing: {ex.Message}");
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"[conn{connection.Id}] unexpected: {ex}");
            }
        }
    }
}
