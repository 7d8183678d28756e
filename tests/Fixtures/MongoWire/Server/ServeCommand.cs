using System;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;

namespace MongoWire.Server;

/// <summary>"serve" mode: start the listener, announce the port, run until killed or stdin closes.</summary>
internal static class ServeCommand
{
    // Entries, not bytes (mongod sizes its oplog in MB): enough for a benchmark run of a few minutes.
    public const int DefaultOplogSize = 100_000;

    public static int Run(string[] args)
    {
        var options = CliArgs.Parse(args, "--exit-on-stdin-eof", "--verbose");
        var port = options.GetInt("--port") ?? 0;
        var host = options.Get("--host") ?? "127.0.0.1";
        var user = options.Get("--user");
        var password = options.Get("--password");
        if ((user == null) != (password == null))
        {
            throw new UsageException("--user and --password go together");
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new UsageException($"--host must be an IP address, got '{host}'");
        }

        var setName = options.Get("--replica-set");
        if (setName != null && (setName.Length == 0 || setName.IndexOfAny(new[] { '/', ',', ' ' }) >= 0))
        {
            throw new UsageException($"--replica-set needs a plain set name, got '{setName}'");
        }

        var oplogSize = options.GetInt("--oplog-size") ?? DefaultOplogSize;
        if (oplogSize < 1)
        {
            throw new UsageException($"--oplog-size must be at least 1, got {oplogSize}");
        }

        if (setName == null && options.Get("--oplog-size") != null)
        {
            throw new UsageException("--oplog-size needs --replica-set (a standalone server has no oplog)");
        }

        var scram = user == null ? null : new ScramServer(user, password);
        var server = new WireServer(address, port, options.Has("--verbose"));
        var boundPort = server.Bind();
        // Drivers compare "me" and "hosts" with the address they connected to; any-address binds say localhost.
        var advertised = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "localhost" : address.ToString();
        var member = setName == null ? null : new ReplicaSetMember(setName, $"{advertised}:{boundPort}", new Oplog(oplogSize));
        server.Serve(new CommandDispatcher(new Store(), new CursorRegistry(), scram, member));

        // The harness waits for exactly this line before connecting.
        Console.Out.WriteLine($"LISTENING {boundPort}");
        Console.Out.Flush();

        using var stop = new ManualResetEventSlim();
        // Exit promptly and with code 0 on SIGTERM/SIGINT (the runtime's default shutdown path is slower).
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Set(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Set(); });
        if (options.Has("--exit-on-stdin-eof"))
        {
            // Lets a parent that dies without cleanup take the server down with it.
            new Thread(() =>
            {
                while (Console.In.ReadLine() != null)
                {
                }

                stop.Set();
            }) { IsBackground = true }.Start();
        }

        stop.Wait();
        return 0;
    }
}
