using Microsoft.Extensions.Options;

namespace Relayguard.Detectors.Rl1;

/// <summary>Checks <see cref="Rl1Options"/> at start, with one message per invalid key.</summary>
public sealed class Rl1OptionsValidator : IValidateOptions<Rl1Options>
{
    public ValidateOptionsResult Validate(string? name, Rl1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = Rl1Options.SectionName;
        if (options.MessagesPerHour < 0)
        {
            failures.Add($"{section}:MessagesPerHour must be 0 (off) or more, but is {options.MessagesPerHour}.");
        }

        if (options.RecipientsPerHour < 0)
        {
            failures.Add($"{section}:RecipientsPerHour must be 0 (off) or more, but is {options.RecipientsPerHour}.");
        }

        foreach (var (account, limits) in options.Accounts)
        {
            if (limits.MessagesPerHour < 0 || limits.RecipientsPerHour < 0)
            {
                failures.Add($"{section}:Accounts:{account}: MessagesPerHour and RecipientsPerHour must be 0 (off) or more.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
