using System;
using EcommerceAws.Engine.Migration;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>Raised inside the mapper when a value cannot become a DynamoDB attribute; caught by <see cref="EntityMapper"/>.</summary>
    internal sealed class MappingRejection : Exception
    {
        public MappingRejection(RejectReason reason, string field, string detail) : base(detail)
        {
            Reason = reason;
            Field = field;
        }

        public RejectReason Reason { get; }
        public string Field { get; }
    }
}
