using System;
using System.Linq;
using MongoWire.Client;
using MongoWire.Server;

namespace MongoWire;

internal static class Program
{
    private const string Usage =
        "usage:\n" +
        "  MongoWire serve [--port P] [--host 127.0.0.1] [--user U --password P] [--replica-set NAME [--oplog-size N]] [--exit-on-stdin-eof] [--verbose]\n" +
        "  MongoWire client --uri URI <insert|update|replace|delete|apply|find|count|estimated-count|aggregate|watch|list-collections|list-databases|drop|command> [options]";

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var rest = args.Skip(1).ToArray();
        try
        {
            switch (args[0])
            {
                case "serve":
                    return ServeCommand.Run(rest);
                case "client":
                    return ClientCli.Run(rest);
                default:
                    Console.Error.WriteLine($"unknown mode '{args[0]}'\n{Usage}");
                    return 2;
            }
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"{ex.Message}\n{Usage}");
            return 2;
        }
    }
}
