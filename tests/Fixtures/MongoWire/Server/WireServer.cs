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
    private readonly CommandDispatcher _dispatcher;
    private readonly bool _verbose;
    private int _nextConnectionId;

    public WireServer(IPAddress address, int port, CommandDispatcher dispatcher, bool verbose)
    {
        _listener = new TcpListener(address, port);
        _dispatcher = dispatcher;
        _verbose = verbose;
    }

    public int Start()
    {
        _listener.Start(backlog: 512);
        _ = AcceptLoopAsync();
        return ((IPEndPoint)_listener.LocalEndpoint).Port;
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

                    var reply = _dispatcher.Execute(request.Command, request.Database, connection);
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
