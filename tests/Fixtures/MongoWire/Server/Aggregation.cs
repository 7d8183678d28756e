using System;
using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Runs the pipeline stages the fixture supports: $match, $sort, $skip, $limit, $count,
/// $group, $sample, $project. Anything else is rejected up front, like mongod does.</summary>
internal static class Aggregation
{
    public static List<BsonDocument> Run(IEnumerable<BsonDocument> input, BsonArray pipeline)
    {
        // Compile every stage first so an unsupported stage fails even on an empty collection.
        var stages = pipeline.Select(CompileStage).ToList();
        var current = input;
        foreach (var stage in stages)
        {
            current = stage(current);
        }

        return current.ToList();
    }

    internal static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> CompileStage(BsonValue stageValue)
    {
        if (stageValue is not BsonDocument stage || stage.ElementCount != 1)
        {
            throw new CommandException(40323, "Location40323", "A pipeline stage specification object must contain exactly one field.");
        }

        var name = stage.GetElement(0).Name;
        var argument = stage[0];
        switch (name)
        {
            case "$match":
                var predicate = QueryMatcher.Compile(argument);
                return documents => documents.Where(predicate);
            case "$sort":
                var spec = argument as BsonDocument ?? throw new CommandException(15973, "Location15973", "the $sort key specification must be an object");
                return documents => Sorter.Sort(documents, spec);
            case "$skip":
                var skip = NonNegative(name, argument);
                return documents => documents.Skip((int)Math.Min(skip, int.MaxValue));
            case "$limit":
                var limit = NonNegative(name, argument);
                return documents => documents.Take((int)Math.Min(limit, int.MaxValue));
            case "$count":
                var field = argument.IsString && argument.AsString.Length > 0 && !argument.AsString.StartsWith('$')
                    ? argument.AsString
                    : throw new CommandException(40156, "Location40156", "the count field must be a non-empty string not starting with '$'");
                return documents => Count(documents, field);
            case "$group":
                var group = argument as BsonDocument ?? throw new CommandException(15947, "Location15947", "a group's fields must be specified in an object");
                return Group.Compile(group);
            case "$sample":
                var size = argument is BsonDocument sample && sample.TryGetValue("size", out var s) && s.IsNumeric && s.ToInt64() >= 0
                    ? s.ToInt64()
                    : throw new CommandException(28749, "Location28749", "$sample stage must specify a non-negative size");
                return documents => Sample(documents, size);
            case "$project":
                var projection = Projection.Create(argument) ?? throw new CommandException(51272, "Location51272", "$project requires at least one output field");
                return documents => documents.Select(projection.Apply);
            default:
                throw new CommandException(40324, "Location40324", $"Unrecognized pipeline stage name: '{name}'");
        }
    }

    private static long NonNegative(string stage, BsonValue argument) =>
        argument.IsNumeric && argument.ToInt64() >= 0
            ? argument.ToInt64()
            : throw new CommandException(15958, "Location15958", $"the {stage} must be a non-negative number");

    private static IEnumerable<BsonDocument> Count(IEnumerable<BsonDocument> documents, string field)
    {
        var n = documents.LongCount();
        // mongod emits no document at all for zero matches.
        return n == 0 ? Array.Empty<BsonDocument>() : new[] { new BsonDocument(field, Numbers.Narrow(n)) };
    }

    private static IEnumerable<BsonDocument> Sample(IEnumerable<BsonDocument> documents, long size)
    {
        // Partial Fisher-Yates: distinct random documents, without replacement.
        var pool = documents.ToList();
        var take = (int)Math.Min(size, pool.Count);
        for (var i = 0; i < take; i++)
        {
            var j = Random.Shared.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool.Take(take);
    }
}

/// <summary>Numeric helpers shared by $count, $group and count.</summary>
internal static class Numbers
{
    /// <summary>Int32 when it fits (what mongod returns for counts), else Int64.</summary>
    public static BsonValue Narrow(long n) => n is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n);
}
