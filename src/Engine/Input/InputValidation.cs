using System.Management.Automation;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>Checks of user input that run before any AWS call; each failure has a stable ErrorId.</summary>
    public static partial class InputValidation
    {
        private static readonly Regex TableNamePattern = new Regex("^[a-zA-Z0-9_.-]{3,255}$", RegexOptions.CultureInvariant);

        public static void TableName(string name)
        {
            if (name == null || !TableNamePattern.IsMatch(name))
                throw new EcommerceException("InvalidTableName", ErrorCategory.InvalidArgument, name,
                    $"'{name}' is not a valid DynamoDB table name: use 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'.",
                    "Choose a name such as ecommerce-cameroon.");
        }
    }
}
