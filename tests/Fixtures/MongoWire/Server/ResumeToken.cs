using System;
using System.Globalization;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>A position in the change stream, ordered like mongod's resume tokens: by cluster time, then a
/// high-water mark before the events at that time, then an event before the invalidate it causes.
/// Serialized as {_data: "82" + 16 hex digits of the timestamp + 2 hex digits of the kind}: mongod's
/// tokens also start with 0x82 and the big-endian timestamp, so tools that read the time from a token work.</summary>
internal readonly record struct ResumeToken(long Ts, byte Kind) : IComparable<ResumeToken>
{
    /// <summary>"Everything before Ts has been seen": a fresh stream, an empty batch, startAtOperationTime.</summary>
    public const byte HighWaterMark = 0x00;

    public const byte Event = 0x80;

    /// <summary>The invalidate event that follows a drop (mongod's fromInvalidate flag).</summary>
    public const byte InvalidateEvent = 0x81;

    public static ResumeToken HighWaterMarkAt(BsonTimestamp ts) => new(ts.Value, HighWaterMark);

    /// <summary>High-water mark just after ts: the smallest timestamp greater than ts is one increment on.</summary>
    public static ResumeToken After(BsonTimestamp ts) => new(new BsonTimestamp(ts.Timestamp, ts.Increment + 1).Value, HighWaterMark);

    public static ResumeToken EventAt(BsonTimestamp ts) => new(ts.Value, Event);

    public static ResumeToken InvalidateAt(BsonTimestamp ts) => new(ts.Value, InvalidateEvent);

    public BsonTimestamp Timestamp => new(Ts);

    public bool IsInvalidate => Kind == InvalidateEvent;

    public BsonDocument ToDocument() => new("_data", $"82{(ulong)Ts:X16}{Kind:X2}");

    /// <summary>Reads a token this server issued; anything else is mongod's "Bad resume token" error.</summary>
    public static ResumeToken Parse(BsonValue value, string option)
    {
        if (value is BsonDocument document && document.TryGetValue("_data", out var data) && data is BsonString text
            && text.Value.Length == 20 && text.Value.StartsWith("82", StringComparison.Ordinal)
            && ulong.TryParse(text.Value.AsSpan(2, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ts)
            && byte.TryParse(text.Value.AsSpan(18, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var kind)
            && kind is HighWaterMark or Event or InvalidateEvent)
        {
            return new ResumeToken((long)ts, kind);
        }

        throw new CommandException(9, "FailedToParse", $"Bad resume token in $changeStream.{option}: {value}");
    }

    public int CompareTo(ResumeToken other)
    {
        var byTime = ((ulong)Ts).CompareTo((ulong)other.Ts);
        return byTime != 0 ? byTime : Kind.CompareTo(other.Kind);
    }

    public static bool operator >(ResumeToken a, ResumeToken b) => a.CompareTo(b) > 0;

    public static bool operator <(ResumeToken a, ResumeToken b) => a.CompareTo(b) < 0;

    public static ResumeToken Max(ResumeToken a, ResumeToken b) => a > b ? a : b;
}
