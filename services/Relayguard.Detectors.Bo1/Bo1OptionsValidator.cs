using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>Checks <see cref="Bo1Options"/> at start, with one message per invalid key that names the key and the fix.</summary>
public sealed class Bo1OptionsValidator : IValidateOptions<Bo1Options>
{
    public ValidateOptionsResult Validate(string? name, Bo1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = Bo1Options.SectionName;

        if (options.EscalateAfter < 1)
        {
            failures.Add($"{section}:EscalateAfter must be at least 1, but is '{options.EscalateAfter}'.");
        }

        var windowValid = Durations.TryParse(options.Window, out var window) && window > TimeSpan.Zero;
        if (!windowValid)
        {
            failures.Add($"{section}:Window must be a duration greater than zero, such as 30m or 1h, but is '{options.Window}'.");
        }

        if (!Durations.TryParse(options.BlockFor, out var blockFor) || blockFor <= TimeSpan.Zero)
        {
            failures.Add($"{section}:BlockFor must be a duration greater than zero, such as 24h or 7d, but is '{options.BlockFor}'.");
        }

        if (!Durations.TryParse(options.Retention, out var retention) || retention <= TimeSpan.Zero || (windowValid && retention < window))
        {
            failures.Add($"{section}:Retention must be a duration at least as long as {section}:Window, such as 1d, but is '{options.Retention}'.");
        }

        var ranges = options.SharedRanges ?? [];
        for (var i = 0; i < ranges.Length; i++)
        {
            if (!string.IsNullOrWhiteSpace(ranges[i]) && !IpNetwork.TryParse(ranges[i], out _))
            {
                failures.Add($"{Bo1Options.SharedRangesKey}:{i} must be a CIDR range such as 100.64.0.0/10 or 2001:db8::/32, but is '{ranges[i]}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
