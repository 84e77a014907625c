using Microsoft.Extensions.Options;

namespace Relayguard.Gateway.Session;

/// <summary>Checks the sender policy and the RL1 limits at start, naming each invalid key.</summary>
public sealed class SessionOptionsValidator : IValidateOptions<SenderPolicyOptions>, IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, SenderPolicyOptions options)
    {
        if (!SenderPolicy.IsValidMode(options.Policy))
        {
            return ValidateOptionsResult.Fail($"Invalid Senders:Policy '{options.Policy}': use off, log or refuse.");
        }

        return ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>();
        if (options.MessagesPerHour < 0)
        {
            errors.Add($"Rules:RL1:MessagesPerHour must be 0 (off) or more, but is {options.MessagesPerHour}.");
        }

        if (options.RecipientsPerHour < 0)
        {
            errors.Add($"Rules:RL1:RecipientsPerHour must be 0 (off) or more, but is {options.RecipientsPerHour}.");
        }

        foreach (var (account, limits) in options.Accounts)
        {
            if (limits.MessagesPerHour < 0 || limits.RecipientsPerHour < 0)
            {
                errors.Add($"Rules:RL1:Accounts:{account}: MessagesPerHour and RecipientsPerHour must be 0 (off) or more.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
