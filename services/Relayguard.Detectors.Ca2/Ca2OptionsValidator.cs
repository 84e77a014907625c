using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Ca2;

/// <summary>Checks <see cref="Ca2Options"/> at start, with one message per invalid key that names the key and the fix.</summary>
public sealed class Ca2OptionsValidator : IValidateOptions<Ca2Options>
{
    public ValidateOptionsResult Validate(string? name, Ca2Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = Ca2Options.SectionName;

        var windowValid = Durations.TryParse(options.Window, out var window) && window > TimeSpan.Zero;
        if (!windowValid)
        {
            failures.Add($"{section}:Window must be a duration greater than zero, such as 10m or 1h, but is '{options.Window}'.");
        }

        if (options.Count < 1)
        {
            failures.Add($"{section}:Count must be at least 1, but is '{options.Count}'.");
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
                failures.Add($"{section}:SharedRanges:{i} must be a CIDR range such as 100.64.0.0/10 or 2001:db8::/32, but is '{ranges[i]}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
