using System;
using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>$group with an _id expression and the accumulators $sum, $avg, $min, $max, $first, $last, $push, $count.</summary>
internal static class Group
{
    private static readonly HashSet<string> Accumulators = new() { "$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$count" };

    public static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> Compile(BsonDocument spec)
    {
        if (!spec.TryGetValue("_id", out var idExpression))
        {
            throw new CommandException(15955, "Location15955", "a group specification must include an _id");
        }

        var outputs = new List<(string Field, string Op, BsonValue Argument)>();
        foreach (var element in spec.Elements.Where(e => e.Name != "_id"))
        {
            if (element.Value is not BsonDocument accumulator || accumulator.ElementCount != 1 || !Accumulators.Contains(accumulator.GetElement(0).Name))
            {
                throw new CommandException(15952, "Location15952", $"unknown group operator in field '{element.Name}'");
            }

            outputs.Add((element.Name, accumulator.GetElement(0).Name, accumulator[0]));
        }

        return documents => Run(documents, idExpression, outputs);
    }

    private static IEnumerable<BsonDocument> Run(IEnumerable<BsonDocument> documents, BsonValue idExpression, List<(string Field, string Op, BsonValue Argument)> outputs)
    {
        // Groups come out in first-seen order; mongod promises no order, first-seen is deterministic.
        var groups = new Dictionary<BsonValue, List<BsonDocument>>(BsonValueEquality.Instance);
        var order = new List<BsonValue>();
        foreach (var document in documents)
        {
            var key = Expressions.Evaluate(idExpression, document) ?? BsonNull.Value;
            if (!groups.TryGetValue(key, out var members))
            {
                members = new List<BsonDocument>();
                groups[key] = members;
                order.Add(key);
            }

            members.Add(document);
        }

        foreach (var key in order)
        {
            var members = groups[key];
            var result = new BsonDocument("_id", key);
            foreach (var (field, op, argument) in outputs)
            {
                result[field] = Accumulate(op, argument, members);
            }

            yield return result;
        }
    }

    private static BsonValue Accumulate(string op, BsonValue argument, List<BsonDocument> members)
    {
        var values = members.Select(m => Expressions.Evaluate(argument, m)).ToList();
        switch (op)
        {
            case "$count":
                return Numbers.Narrow(members.Count);
            case "$sum":
                return Sum(values.Where(v => v != null && v.IsNumeric));
            case "$avg":
                var numeric = values.Where(v => v != null && v.IsNumeric).ToList();
                return numeric.Count == 0 ? BsonNull.Value : new BsonDouble(numeric.Average(v => v.ToDouble()));
            case "$min":
                return values.Where(v => v != null && !v.IsBsonNull).DefaultIfEmpty(BsonNull.Value).Aggregate((m, v) => BsonOrder.Compare(v, m) < 0 ? v : m);
            case "$max":
                return values.Where(v => v != null && !v.IsBsonNull).DefaultIfEmpty(BsonNull.Value).Aggregate((m, v) => BsonOrder.Compare(v, m) > 0 ? v : m);
            case "$first":
                return values.Count > 0 ? values[0] ?? BsonNull.Value : BsonNull.Value;
            case "$last":
                return values.Count > 0 ? values[^1] ?? BsonNull.Value : BsonNull.Value;
            case "$push":
                return new BsonArray(values.Where(v => v != null));
            default:
                throw new InvalidOperationException(op);
        }
    }

    /// <summary>Integers stay integers (Int32 when it fits), doubles/decimals widen, like mongod.</summary>
    private static BsonValue Sum(IEnumerable<BsonValue> values)
    {
        long integral = 0;
        double floating = 0;
        decimal? exact = null;
        var kind = BsonType.Int32;
        foreach (var value in values)
        {
            switch (value.BsonType)
            {
                case BsonType.Int32:
                case BsonType.Int64:
                    integral = checked(integral + value.ToInt64());
                    if (value.BsonType == BsonType.Int64 && kind == BsonType.Int32)
                    {
                        kind = BsonType.Int64;
                    }

                    break;
                case BsonType.Decimal128:
                    exact = (exact ?? 0) + Decimal128.ToDecimal(value.AsDecimal128);
                    kind = BsonType.Decimal128;
                    break;
                default:
                    floating += value.ToDouble();
                    if (kind != BsonType.Decimal128)
                    {
                        kind = BsonType.Double;
                    }

                    break;
            }
        }

        return kind switch
        {
            BsonType.Int32 => Numbers.Narrow(integral),
            BsonType.Int64 => new BsonInt64(integral),
            BsonType.Double => new BsonDouble(integral + floating),
            _ => new BsonDecimal128(new Decimal128((exact ?? 0) + integral + (decimal)floating)),
        };
    }
}
