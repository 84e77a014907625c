using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Api;

/// <summary>Parses and checks the query values and body fields of the operations API, adding each problem to <see cref="ApiErrors"/> under its field.</summary>
internal static class ApiInput
{
    public const int MaxReasonLength = 1000;

    /// <summary>The codes a block in the registry can carry.</summary>
    private static readonly IReadOnlyList<string> BlockCodes = [.. RuleCodes.All, AuthThrottled.Code];

    /// <summary>The control characters of Unicode (category Cc): C0, DEL and C1.</summary>
    private static readonly SearchValues<char> ControlCharacters =
        SearchValues.Create([.. Enumerable.Range(0, 0xA0).Select(code => (char)code).Where(char.IsControl)]);

    // Keeps expires_at far inside the range of DateTimeOffset.
    private static readonly TimeSpan MaxBlockDuration = TimeSpan.FromDays(3650);

    public static string? Kind(string? text, ApiErrors errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                errors.Add("kind", "Missing kind: use account or ip.");
            }

            return null;
        }

        var kind = text.Trim().ToLowerInvariant();
        if (!BlockKinds.All.Contains(kind))
        {
            errors.Add("kind", $"Invalid kind '{text}': use account or ip.");
            return null;
        }

        return kind;
    }

    /// <summary>Reads the code of a block filter or lift: a rule code, or AUTH for a gateway's AUTH throttle.</summary>
    public static string? Code(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var code = text.Trim().ToUpperInvariant();
        if (!BlockCodes.Contains(code))
        {
            errors.Add("code", $"Unknown code '{text}': use one of {string.Join(", ", BlockCodes)}.");
            return null;
        }

        return code;
    }

    public static string State(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return BlockStates.Active;
        }

        var state = text.Trim().ToLowerInvariant();
        if (!BlockStates.Filters.Contains(state))
        {
            errors.Add("state", $"Invalid state '{text}': use {string.Join(", ", BlockStates.Filters)}.");
            return BlockStates.Active;
        }

        return state;
    }

    public static int Limit(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return PageCursor.DefaultLimit;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > PageCursor.MaxLimit)
        {
            errors.Add("limit", $"Invalid limit '{text}': use a whole number from 1 to {PageCursor.MaxLimit}.");
            return PageCursor.DefaultLimit;
        }

        return limit;
    }

    /// <summary>Checks the <c>after</c> cursor with <paramref name="check"/>, which decodes it against the request's filters.</summary>
    public static void Cursor(string? text, Func<string, PageCursorCheck> check, ApiErrors errors)
    {
        if (text is null)
        {
            return;
        }

        switch (check(text))
        {
            case PageCursorCheck.Invalid:
                errors.Add("after", "Invalid cursor: pass the 'next' value of the previous page unchanged, or leave 'after' out for the first page.");
                break;
            case PageCursorCheck.OtherFilters:
                errors.Add("after", "The cursor belongs to a page with other filters: repeat the filters of the request that returned it, or leave 'after' out to start from the first page.");
                break;
        }
    }

    /// <summary>
    /// Reads the <c>subject</c> filter of the block list and returns it with its kind. Without a kind, an address or
    /// prefix is an ip subject and anything else an account, because that is the only kind it can match.
    /// </summary>
    public static (string? Kind, string? Subject) SubjectFilter(string? kind, string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (kind, null);
        }

        // Only a dotted quad or an IPv6 form counts as an address: IPAddress also reads "100234" as 0.1.135.74, which
        // is far more likely an account name.
        var addressForm = text.Count(c => c == '.') == 3 || text.Contains(':', StringComparison.Ordinal);
        if (kind is null && addressForm && BlockSubjects.TryParse(BlockKinds.Ip, text, out var ip, out _))
        {
            return (BlockKinds.Ip, ip);
        }

        kind ??= BlockKinds.Account;
        return (kind, Subject(kind, text, errors));
    }

    /// <summary>
    /// Decodes a percent-encoded subject from the path (<c>2001%3Adb8%3A%3A%2F64</c>) and normalises it.
    /// Kestrel decodes every escape in the path except <c>%2F</c>, so only that one is left to decode here. Decoding
    /// everything once more would turn an account name that contains <c>%41</c> into one with <c>A</c>.
    /// </summary>
    public static string? PathSubject(string? kind, string encoded, ApiErrors errors) =>
        Subject(kind, DecodeSlashes(encoded), errors);

    /// <summary>Decodes the <c>%2F</c> escapes that Kestrel leaves in a path segment.</summary>
    public static string DecodeSlashes(string encoded) =>
        encoded.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);


    /// <summary>
    /// Reads the <c>account</c> parameter: a plain account name, without the <c>/IP</c> that a block subject may
    /// carry, because warnings and CA1 counts are kept per account.
    /// </summary>
    public static string? Account(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("account", "Missing account: use an account name such as alice.");
            return null;
        }

        text = text.Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            errors.Add("account", $"Invalid account name '{text}': use the account name alone, such as alice, without '/' and an address.");
            return null;
        }

        if (!BlockSubjects.TryParse(BlockKinds.Account, text, out var account, out var error))
        {
            errors.Add("account", error);
            return null;
        }

        return account;
    }

    /// <summary>Normalises a subject. With <paramref name="forBlock"/>, an IP subject must also be a block key.</summary>
    public static string? Subject(string? kind, string? text, ApiErrors errors, bool forBlock = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("subject", kind switch
            {
                BlockKinds.Account => "Missing subject: use an account such as alice.",
                BlockKinds.Ip => "Missing subject: use an address such as 203.0.113.5 or a prefix such as 2001:db8::/64.",
                _ => "Missing subject: use an account such as alice, an address such as 203.0.113.5 or a prefix such as 2001:db8::/64.",
            });
            return null;
        }

        if (kind is null)
        {
            return null;
        }

        var valid = forBlock
            ? BlockSubjects.TryParseForBlock(kind, text, out var subject, out var error)
            : BlockSubjects.TryParse(kind, text, out subject, out error);
        if (!valid)
        {
            errors.Add("subject", error);
            return null;
        }

        return subject;
    }

    /// <summary>
    /// Reads the <c>reason</c> of a lift, manual block or allowlist entry. Control characters are rejected anywhere in
    /// it, because the reason is printed in the CLI's tables, where a line break would split a row and an escape
    /// sequence would reach an operator's terminal.
    /// </summary>
    public static string? Reason(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("reason", "Missing reason: say why, for example \"password changed after the account was compromised\".");
            return null;
        }

        if (text.Length > MaxReasonLength)
        {
            errors.Add("reason", $"The reason is {text.Length} characters long: use at most {MaxReasonLength}.");
            return null;
        }

        var index = text.AsSpan().IndexOfAny(ControlCharacters);
        if (index >= 0)
        {
            errors.Add("reason", $"The reason contains {ControlCharacterName(text[index])} at character {index + 1}: remove it and write the reason on one line, without line breaks, tabs or other control characters.");
            return null;
        }

        return text.Trim();
    }

    private static string ControlCharacterName(char c) => c switch
    {
        '\n' => "a line feed (U+000A)",
        '\r' => "a carriage return (U+000D)",
        '\t' => "a tab (U+0009)",
        _ => $"the control character U+{(int)c:X4}",
    };

    /// <summary>Reads the <c>for</c> field. The error message ends with <paramref name="whenLeftOut"/>, what leaving the field out means.</summary>
    public static TimeSpan? Duration(string? text, ApiErrors errors, string whenLeftOut = "for a block until an operator lifts it")
    {
        if (text is null)
        {
            return null;
        }

        var fix = $"use a positive number followed by {Durations.Units}, for example 24h, or leave 'for' out {whenLeftOut}";
        bool parsed;
        TimeSpan duration;
        try
        {
            parsed = Durations.TryParse(text, out duration);
        }
        catch (OverflowException)
        {
            (parsed, duration) = (false, default);
        }

        if (!parsed || duration <= TimeSpan.Zero)
        {
            errors.Add("for", $"Invalid duration '{text}': {fix}.");
            return null;
        }

        if (duration > MaxBlockDuration)
        {
            errors.Add("for", $"The duration '{text}' is longer than {Durations.Format(MaxBlockDuration)}: {fix}.");
            return null;
        }

        return duration;
    }

    public static string Scope(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return BlockScopes.All;
        }

        var scope = text.Trim().ToLowerInvariant();
        if (scope != BlockScopes.All && scope != BlockScopes.NullSender)
        {
            errors.Add("scope", $"Invalid scope '{text}': use {BlockScopes.All} or {BlockScopes.NullSender}.");
            return BlockScopes.All;
        }

        return scope;
    }
}
