using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>Checks the <c>Store</c> section at start.</summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var failures = new List<string>();
        var kind = options.Kind?.Trim().ToLowerInvariant();
        if (kind is not (StoreOptions.SqliteKind or StoreOptions.MongoDbKind))
        {
            failures.Add($"Store:Kind is '{options.Kind}', but must be '{StoreOptions.SqliteKind}' or '{StoreOptions.MongoDbKind}'.");
        }

        if (kind == StoreOptions.MongoDbKind && string.IsNullOrWhiteSpace(options.MongoDb))
        {
            failures.Add("Store:MongoDb is missing: set it to a MongoDB connection string, for example mongodb://mongo:27017.");
        }

        if (string.IsNullOrWhiteSpace(options.MongoDatabase))
        {
            failures.Add("Store:MongoDatabase is empty: name the MongoDB database, for example relayguard.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
