using MongoDB.Bson;

namespace MongoWire.Wire;

/// <summary>Wire opcodes this server understands.</summary>
internal static class OpCodes
{
    public const int Reply = 1;
    public const int Query = 2004;
    public const int Compressed = 2012;
    public const int Msg = 2013;
}

/// <summary>One decoded client request: the command body plus what the reply needs.</summary>
internal sealed class WireRequest
{
    public int RequestId { get; init; }

    public int OpCode { get; init; }

    /// <summary>Command document with any OP_MSG kind-1 sequences merged in as arrays.</summary>
    public BsonDocument Command { get; init; }

    /// <summary>Target database: "$db" for OP_MSG, the namespace prefix for OP_QUERY.</summary>
    public string Database { get; init; }

    /// <summary>OP_MSG moreToCome: the client expects no reply (w:0 writes).</summary>
    public bool MoreToCome { get; init; }
}
