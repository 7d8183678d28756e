using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>`serve --replica-set NAME`: the server is the writable primary of a one-member replica set,
/// so drivers discover a replica set and change streams work.</summary>
internal sealed class ReplicaSetMember
{
    // Term 1 of a set initiated once, as mongod reports it (0x7fffffff prefix, then the term).
    private static readonly ObjectId Election = ObjectId.Parse("7fffffff0000000000000001");

    public ReplicaSetMember(string name, string me, Oplog oplog)
    {
        Name = name;
        Me = me;
        Oplog = oplog;
    }

    public string Name { get; }

    /// <summary>host:port as clients reach this member; drivers replace the seed with it.</summary>
    public string Me { get; }

    public Oplog Oplog { get; }

    /// <summary>The replica-set part of a hello reply, in mongod's field order.</summary>
    public void AddTo(BsonDocument hello)
    {
        var lastWrite = Oplog.LastTs;
        var opTime = new BsonDocument { { "ts", lastWrite }, { "t", 1L } };
        var writeDate = new BsonDateTime(((long)lastWrite.Timestamp) * 1000);
        hello.InsertAt(1, new BsonElement("hosts", new BsonArray { Me }));
        hello.InsertAt(2, new BsonElement("setName", Name));
        hello.InsertAt(3, new BsonElement("setVersion", 1));
        // index 4: isWritablePrimary / ismaster, already there
        hello.InsertAt(5, new BsonElement("secondary", false));
        hello.InsertAt(6, new BsonElement("primary", Me));
        hello.InsertAt(7, new BsonElement("me", Me));
        hello.InsertAt(8, new BsonElement("electionId", Election));
        hello.InsertAt(9, new BsonElement("lastWrite", new BsonDocument
        {
            { "opTime", opTime },
            { "lastWriteDate", writeDate },
            { "majorityOpTime", opTime },
            { "majorityWriteDate", writeDate },
        }));
    }
}
