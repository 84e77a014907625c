using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations;

/// <summary>Stops start-up with a message naming the key when an operations setting is invalid.</summary>
internal sealed class OperationsOptionsValidator : IValidateOptions<OperationsOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsOptions options)
    {
        if (!Durations.TryParse(options.EvidenceRetention, out var retention) || retention <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail(
                $"{OperationsOptions.SectionName}:EvidenceRetention: invalid duration '{options.EvidenceRetention}'. " +
                $"Use a positive number followed by {Durations.Units}, for example 90d.");
        }

        return ValidateOptionsResult.Success;
    }
}
