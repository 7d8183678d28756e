using System;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Mapping;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// DuplicateKey detection within one entity's run: two documents whose _ids give the same key text ("1" and 1, an
    /// ObjectId and its 24-hex text, one _id twice in a dump file). The first keeps the key; later ones are rejected naming it.
    /// <para>Memory: a table of 64-bit fingerprints of the key text (8 bytes a slot, at most 3/4 full), not the keys. A MongoDB
    /// source has unique _ids read in _id order (numbers, then strings, then ObjectIds), so only the _ids a later document
    /// can collide with are recorded — integers and 24-hex strings; a collection of ObjectIds records nothing. A dump file
    /// can repeat any _id in any order, so every key is recorded.</para>
    /// <para>Bound: <see cref="MaxSlots"/> slots (128 MiB, about 12.5 million keys); past it nothing more is recorded (a warning
    /// says so), later documents are still checked against every recorded key, and a repeat among the unrecorded ones is not
    /// detected. A fingerprint match between different keys (odds about n²/2^61: 4·10^-7 at a million keys) would reject a
    /// document as DuplicateKey wrongly, never drop it silently.</para>
    /// <para>Resumed runs: before the first document after the checkpoint is checked, the keys up to the checkpoint are
    /// recorded again from the source (<see cref="IDocumentSource.ReadKeyIdsAsync"/>): MongoDB answers two _id range queries;
    /// a file is read again up to the checkpoint. No item in the table carries bookkeeping and no write is conditional, so a
    /// clean run still makes ⌈N/25⌉ BatchWriteItem calls.</para>
    /// </summary>
    internal sealed class KeyRegistry
    {
        internal const int MaxSlots = 1 << 24;
        private const ulong TypeMask = 0xF;
        private readonly bool uniqueSorted;
        private ulong[] slots = new ulong[1 << 12];
        private int count;

        public KeyRegistry(bool uniqueSortedIds) => uniqueSorted = uniqueSortedIds;

        /// <summary>True once the table is full (<see cref="MaxSlots"/>): later keys are checked but no longer recorded.</summary>
        public bool Full { get; private set; }
        public int Count => count;

        /// <summary>The reject for a document whose key another document already has, or null (then the key is recorded as this one's).</summary>
        public RejectRecord Check(EcommerceEntity entity, BsonValue id, string idText, bool fromFile)
        {
            ulong fingerprint = Fingerprint(idText);
            int firstType = Find(fingerprint);
            if (firstType != 0)
            {
                int type = TypeCode(id);
                string key = EntityKeys.ItemKey(entity, idText);
                string detail = firstType == type
                    ? $"_id {Show(id)} appears again{(fromFile ? " in the file" : "")}; key {key} stays with the first document that has it"
                    : $"key {key} is already taken by _id {Show(firstType, idText)}, read earlier; this _id {Show(id)} maps to the same key";
                return new RejectRecord(entity, idText, RejectReason.DuplicateKey, "_id", detail);
            }
            if (!uniqueSorted || Collides(id)) Add(fingerprint, TypeCode(id));
            return null;
        }

        /// <summary>Records the key of an _id read before the checkpoint (rebuilding after a resume).</summary>
        public void Record(BsonValue id)
        {
            string text = EntityMapper.IdText(id);
            if (text == null) return;
            ulong fingerprint = Fingerprint(text);
            if (Find(fingerprint) == 0) Add(fingerprint, TypeCode(id));
        }

        public async Task<long> RebuildAsync(IDocumentSource source, string checkpoint, CancellationToken cancellation)
        {
            long read = 0;
            if (checkpoint == null) return 0;
            await foreach (BsonValue id in source.ReadKeyIdsAsync(checkpoint, cancellation).ConfigureAwait(false))
            {
                Record(id);
                read++;
            }
            return read;
        }

        /// <summary>MongoDB order: integers (before strings) and 24-hex strings (before ObjectIds) are all a later _id can collide with.</summary>
        private static bool Collides(BsonValue id) =>
            id.IsInt32 || id.IsInt64 || (id.IsString && IsObjectIdText(id.AsString));

        private static bool IsObjectIdText(string s)
        {
            if (s.Length != 24) return false;
            foreach (char c in s) if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
            return true;
        }

        private static ulong Fingerprint(string text)
        {
            ulong hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan()));
            hash &= ~TypeMask;
            return hash == 0 ? 0x10 : hash;
        }

        private int Find(ulong fingerprint)
        {
            int mask = slots.Length - 1;
            for (int i = Index(fingerprint, mask); ; i = (i + 1) & mask)
            {
                ulong slot = slots[i];
                if (slot == 0) return 0;
                if ((slot & ~TypeMask) == fingerprint) return (int)(slot & TypeMask);
            }
        }

        private void Add(ulong fingerprint, int type)
        {
            if (Full) return;
            if ((count + 1) * 4L > slots.Length * 3L)
            {
                if (slots.Length >= MaxSlots) { Full = true; return; }
                Grow();
            }
            Insert(slots, fingerprint | (uint)type);
            count++;
        }

        private void Grow()
        {
            var bigger = new ulong[slots.Length * 2];
            foreach (ulong slot in slots) if (slot != 0) Insert(bigger, slot);
            slots = bigger;
        }

        private static void Insert(ulong[] table, ulong slot)
        {
            int mask = table.Length - 1;
            int i = Index(slot & ~TypeMask, mask);
            while (table[i] != 0) i = (i + 1) & mask;
            table[i] = slot;
        }

        private static int Index(ulong fingerprint, int mask) => (int)((fingerprint ^ (fingerprint >> 29)) >> 4) & mask;

        private static int TypeCode(BsonValue id) => id.BsonType switch
        {
            BsonType.ObjectId => 1,
            BsonType.String => 2,
            BsonType.Int32 => 3,
            BsonType.Int64 => 4,
            _ => 5,
        };

        private static string Show(BsonValue id) => id.BsonType switch
        {
            BsonType.ObjectId => $"ObjectId(\"{id.AsObjectId}\")",
            BsonType.String => $"\"{Cut(id.AsString)}\" (string)",
            BsonType.Int32 => $"{id.AsInt32.ToString(CultureInfo.InvariantCulture)} (Int32)",
            BsonType.Int64 => $"{id.AsInt64.ToString(CultureInfo.InvariantCulture)} (Int64)",
            _ => id.BsonType.ToString(),
        };

        private static string Show(int type, string text) => type switch
        {
            1 => $"ObjectId(\"{text}\")",
            2 => $"\"{Cut(text)}\" (string)",
            3 => $"{text} (Int32)",
            4 => $"{text} (Int64)",
            _ => Cut(text),
        };

        private static string Cut(string s) => s.Length > 80 ? s.Substring(0, 77) + "..." : s;
    }
}
