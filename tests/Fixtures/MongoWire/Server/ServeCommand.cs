using System;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;

namespace MongoWire.Server;

/// <summary>"serve" mode: start the listener, announce the port, run until killed or stdin closes.</summary>
internal static class ServeCommand
{
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

        var scram = user == null ? null : new ScramServer(user, password);
        var dispatcher = new CommandDispatcher(new Store(), new CursorRegistry(), scram);
        var server = new WireServer(address, port, dispatcher, options.Has("--verbose"));
        var boundPort = server.Start();

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
