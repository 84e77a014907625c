using System.Globalization;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Help;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Session;

/// <summary>The customer-facing refusals: one reply each, with the rule code and the help address.</summary>
public sealed class Replies(HelpLinks help)
{
    public static SmtpReply NotScanned { get; } = new(451, "4.7.1", "Message could not be scanned, try again later");

    /// <summary>The refusal of MAIL without AUTH, worded exactly as the design's reply table gives it (no link).</summary>
    public static SmtpReply AuthenticationRequired { get; } = new(530, "5.7.0", "Authentication required");

    /// <summary>The AUTH throttle's refusal, worded exactly as the design's reply table gives it (no link).</summary>
    public static SmtpReply TooManyFailedLogins { get; } = new(454, "4.7.0", "Too many failed logins, try again later");

    /// <summary>
    /// The refusal of a recipient in a reserved domain: <c>.invalid</c> never resolves (RFC 6761), so mail to it could
    /// only bounce, and the upstream routes the gateway's own bounce-copy address there.
    /// </summary>
    public SmtpReply ReservedDomain(string domain) =>
        new(550, "5.1.2", $"Recipient domain {domain} is reserved (RFC 6761) and receives no mail. See {help.For(HelpPages.ReservedDomainAnchor)}");

    /// <summary>
    /// Returns the reserved domain that <paramref name="address"/> is addressed to, or null. That is its own domain when
    /// it is <c>invalid</c> or ends in <c>.invalid</c>. It is also a <c>.invalid</c> domain named in a local part that
    /// routes on (<c>%</c>, <c>!</c> or a quoted <c>@</c>): Postfix rewrites <c>a%b.invalid@[its address]</c> to
    /// <c>a@b.invalid</c> with its default <c>allow_percent_hack</c>, <c>swap_bangpath</c> and
    /// <c>resolve_dequoted_address</c>.
    /// </summary>
    public static string? InReservedDomain(string address)
    {
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..].TrimEnd('.');
        if (IsReserved(domain))
        {
            return domain;
        }

        var localPart = at < 0 ? address : address[..at];
        if (localPart.IndexOfAny(['%', '!', '@']) < 0)
        {
            return null;
        }

        var named = localPart.Split(['%', '!', '@', '"'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(part => IsReserved(part.TrimEnd('.')));
        return named?.TrimEnd('.');
    }

    private static bool IsReserved(string domain) =>
        domain.Equals("invalid", StringComparison.OrdinalIgnoreCase) || domain.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase);

    public SmtpReply CredentialsInvalid() => new(535, "5.7.8", $"Authentication credentials invalid. See {help.For(HelpPages.LoginAnchor)}");

    /// <summary>The sender policy's refusal, in the words Postfix uses for <c>reject_sender_login_mismatch</c>.</summary>
    public SmtpReply SenderNotOwned(string account) => new(553, "5.7.1", $"Sender address rejected: not owned by user {account}. See {help.For(HelpPages.SenderAnchor)}");

    public SmtpReply ForBlock(BlockEntry block)
    {
        var url = help.For(block.Code);
        return block.Code switch
        {
            RuleCodes.Ca1 => new SmtpReply(550, "5.7.1", $"Sending from this account is blocked: too many messages to addresses that do not exist (CA1). See {url}"),
            RuleCodes.Ca2 when IsAccountOnAddress(block) =>
                new SmtpReply(550, "5.7.1", $"Sending from this account on your IP address is blocked{Until(block)}: several messages scored as spam (CA2). See {url}"),
            RuleCodes.Ca2 when block.ExpiresAt is { } until =>
                new SmtpReply(550, "5.7.1", $"Sending from your IP address is blocked until {Time(until)} UTC: several messages scored as spam (CA2). See {url}"),
            RuleCodes.Ca2 => new SmtpReply(550, "5.7.1", $"Sending from your IP address is blocked: several messages scored as spam (CA2). See {url}"),
            RuleCodes.Bo1 when block.ExpiresAt is { } until =>
                new SmtpReply(550, "5.7.1", $"Bounce messages from this sender are blocked until {Time(until)} UTC (BO1). See {url}"),
            RuleCodes.Bo1 => new SmtpReply(550, "5.7.1", $"Bounce messages from this sender are blocked (BO1). See {url}"),
            RuleCodes.Rl1 => RateLimited(),
            _ => new SmtpReply(550, "5.7.1", $"Sending is blocked by the provider ({block.Code}). See {url}"),
        };
    }

    public SmtpReply SpamRejected() => new(550, "5.7.1", $"Message refused as spam (CA2). See {help.For(RuleCodes.Ca2)}");

    public SmtpReply SpamDeferred() => new(451, "4.7.1", "Message deferred by the spam filter, try again later");

    public SmtpReply BounceRefused() =>
        new(550, "5.7.1", $"Bounce messages are not accepted: reject mail at SMTP time instead (BO1). See {help.For(RuleCodes.Bo1)}");

    public SmtpReply RateLimited() => new(451, "4.7.1", $"Too many messages this hour, try again later (RL1). See {help.For(RuleCodes.Rl1)}");

    /// <summary>Returns true for a block on one account at one address: CA2's subject in a shared (CGNAT) range, where the address alone is not the customer.</summary>
    private static bool IsAccountOnAddress(BlockEntry block) =>
        block.Kind == BlockKinds.Account && block.Subject.Contains('/', StringComparison.Ordinal);

    private static string Until(BlockEntry block) => block.ExpiresAt is { } until ? $" until {Time(until)} UTC" : string.Empty;

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
