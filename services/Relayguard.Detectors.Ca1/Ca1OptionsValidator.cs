using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca1;

/// <summary>Checks <see cref="Ca1Options"/> at start, with one message per invalid key that names the key and the fix.</summary>
public sealed class Ca1OptionsValidator : IValidateOptions<Ca1Options>
{
    public ValidateOptionsResult Validate(string? name, Ca1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = Ca1Options.SectionName;

        var windowValid = Durations.TryParse(options.Window, out var window) && window > TimeSpan.Zero;
        if (!windowValid)
        {
            failures.Add($"{section}:Window must be a duration greater than zero, such as 30m, 1h or 24h, but is '{options.Window}'.");
        }

        if (options.MinInvalidRecipients < 1)
        {
            failures.Add($"{section}:MinInvalidRecipients must be at least 1, but is '{options.MinInvalidRecipients}'.");
        }

        if (!(options.MinInvalidShare >= 0 && options.MinInvalidShare <= 1))
        {
            failures.Add($"{section}:MinInvalidShare must be between 0 and 1, where 0.2 means 20%, but is '{options.MinInvalidShare}'.");
        }

        if (!(options.WarnAt >= 0 && options.WarnAt < 1))
        {
            failures.Add($"{section}:WarnAt must be at least 0 and below 1, where 0.8 warns at 80% of both thresholds and 0 turns warnings off, but is '{options.WarnAt}'.");
        }

        if (!Durations.TryParse(options.Retention, out var retention) || (windowValid && retention < window) || retention <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Retention must be a duration at least as long as {section}:Window, such as 7d, but is '{options.Retention}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
