using System.IO;
using System.Threading;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace MongoWire.Wire;

/// <summary>Builds reply frames: OP_REPLY for legacy OP_QUERY requests, OP_MSG otherwise.</summary>
internal static class WireWriter
{
    private static int _nextRequestId;

    // Replies may legally exceed 16 MB (a full batch plus envelope); the driver allows maxMessageSizeBytes.
    private static readonly BsonBinaryWriterSettings WriterSettings = new() { MaxDocumentSize = 48_000_000 };

    public static byte[] BuildReply(WireRequest request, BsonDocument reply)
    {
        var body = reply.ToBson(writerSettings: WriterSettings);
        using var memory = new MemoryStream(16 + 20 + body.Length);
        using var writer = new BinaryWriter(memory);
        if (request.OpCode == OpCodes.Query)
        {
            // The driver's handshake only accepts OP_REPLY to an OP_QUERY (STANDINS.md).
            WriteHeader(writer, 16 + 20 + body.Length, request.RequestId, OpCodes.Reply);
            writer.Write(0);        // responseFlags
            writer.Write(0L);       // cursorID
            writer.Write(0);        // startingFrom
            writer.Write(1);        // numberReturned
        }
        else
        {
            WriteHeader(writer, 16 + 4 + 1 + body.Length, request.RequestId, OpCodes.Msg);
            writer.Write(0u);       // flagBits: never checksum, never moreToCome
            writer.Write((byte)0);  // kind-0 body section
        }

        writer.Write(body);
        writer.Flush();
        return memory.ToArray();
    }

    private static void WriteHeader(BinaryWriter writer, int length, int responseTo, int opCode)
    {
        writer.Write(length);
        writer.Write(Interlocked.Increment(ref _nextRequestId));
        writer.Write(responseTo);
        writer.Write(opCode);
    }
}
