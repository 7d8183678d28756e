using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace MongoWire.Wire;

/// <summary>Thrown for a frame this server cannot decode; the connection is closed.</summary>
internal sealed class WireFormatException : Exception
{
    public WireFormatException(string message) : base(message) { }
}

/// <summary>Reads OP_MSG and legacy OP_QUERY frames from a stream.</summary>
internal static class WireReader
{
    private const int HeaderSize = 16;
    private const uint ChecksumPresent = 1;
    private const uint MoreToCome = 2;

    // Slightly above the advertised maxMessageSizeBytes so a legal message is never refused.
    private const int MaxMessageSize = 48_000_000 + 1024;

    private static readonly BsonBinaryReaderSettings ReaderSettings = new() { MaxDocumentSize = MaxMessageSize };

    /// <summary>Returns null on a clean end of stream; throws EndOfStreamException on a torn frame.</summary>
    public static async Task<WireRequest> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        var first = await stream.ReadAsync(header.AsMemory(0, HeaderSize), cancellationToken).ConfigureAwait(false);
        if (first == 0)
        {
            return null;
        }

        await stream.ReadExactlyAsync(header.AsMemory(first, HeaderSize - first), cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < HeaderSize + 4 || length > MaxMessageSize)
        {
            throw new WireFormatException($"bad message length {length}");
        }

        var frame = new byte[length];
        header.CopyTo(frame, 0);
        await stream.ReadExactlyAsync(frame.AsMemory(HeaderSize, length - HeaderSize), cancellationToken).ConfigureAwait(false);

        var requestId = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
        var opCode = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(12));
        return opCode switch
        {
            OpCodes.Msg => ParseMsg(frame, requestId),
            OpCodes.Query => ParseQuery(frame, requestId),
            _ => throw new WireFormatException($"unsupported opcode {opCode}"),
        };
    }

    private static WireRequest ParseMsg(byte[] frame, int requestId)
    {
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(HeaderSize));
        // The trailing CRC-32C is not verified: loopback traffic, test-only server.
        var end = frame.Length - ((flags & ChecksumPresent) != 0 ? 4 : 0);
        var pos = HeaderSize + 4;
        BsonDocument body = null;
        var sequences = new BsonDocument();

        while (pos < end)
        {
            var kind = frame[pos++];
            if (kind == 0)
            {
                var size = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(pos));
                body = ReadDocument(frame, pos, size);
                pos += size;
            }
            else if (kind == 1)
            {
                var sectionEnd = pos + BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(pos));
                pos += 4;
                var identifier = ReadCString(frame, ref pos);
                var documents = new BsonArray();
                while (pos < sectionEnd)
                {
                    var size = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(pos));
                    documents.Add(ReadDocument(frame, pos, size));
                    pos += size;
                }

                sequences[identifier] = documents;
            }
            else
            {
                throw new WireFormatException($"unknown OP_MSG section kind {kind}");
            }
        }

        if (body == null)
        {
            throw new WireFormatException("OP_MSG without a body section");
        }

        // Handlers see one document whether the client used sequences or inline arrays.
        foreach (var sequence in sequences)
        {
            body[sequence.Name] = sequence.Value;
        }

        return new WireRequest
        {
            RequestId = requestId,
            OpCode = OpCodes.Msg,
            Command = body,
            Database = body.GetValue("$db", "admin").AsString,
            MoreToCome = (flags & MoreToCome) != 0,
        };
    }

    private static WireRequest ParseQuery(byte[] frame, int requestId)
    {
        var pos = HeaderSize + 4;
        var fullCollectionName = ReadCString(frame, ref pos);
        pos += 8; // numberToSkip, numberToReturn: irrelevant for $cmd queries
        var size = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(pos));
        var query = ReadDocument(frame, pos, size);

        // Legacy drivers wrap the command when they attach a read preference.
        if (query.TryGetValue("$query", out var inner) && inner is BsonDocument unwrapped)
        {
            query = unwrapped;
        }

        var dot = fullCollectionName.IndexOf('.');
        return new WireRequest
        {
            RequestId = requestId,
            OpCode = OpCodes.Query,
            Command = query,
            Database = dot > 0 ? fullCollectionName[..dot] : fullCollectionName,
        };
    }

    private static BsonDocument ReadDocument(byte[] frame, int offset, int size)
    {
        using var memory = new MemoryStream(frame, offset, size, writable: false);
        using var reader = new BsonBinaryReader(memory, ReaderSettings);
        return BsonDocumentSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }

    private static string ReadCString(byte[] frame, ref int pos)
    {
        var end = Array.IndexOf(frame, (byte)0, pos);
        if (end < 0)
        {
            throw new WireFormatException("unterminated cstring");
        }

        var text = Encoding.UTF8.GetString(frame, pos, end - pos);
        pos = end + 1;
        return text;
    }
}
