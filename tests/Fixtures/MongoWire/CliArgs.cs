using System;
using System.Collections.Generic;
using System.Globalization;

namespace MongoWire;

/// <summary>Bad command line; Program prints the usage and exits 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>Minimal "--name value" / "--flag" / positional parser shared by both modes.</summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    public static CliArgs Parse(string[] args, params string[] flagNames)
    {
        var known = new HashSet<string>(flagNames, StringComparer.Ordinal);
        var parsed = new CliArgs();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed.Positional.Add(arg);
            }
            else if (known.Contains(arg))
            {
                parsed._flags.Add(arg);
            }
            else if (i + 1 < args.Length)
            {
                parsed._options[arg] = args[++i];
            }
            else
            {
                throw new UsageException($"option {arg} needs a value");
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string Get(string name) => _options.TryGetValue(name, out var value) ? value : null;

    public string Require(string name) => Get(name) ?? throw new UsageException($"missing required option {name}");

    public int? GetInt(string name)
    {
        var text = Get(name);
        if (text == null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"option {name} needs an integer, got '{text}'");
    }
}
