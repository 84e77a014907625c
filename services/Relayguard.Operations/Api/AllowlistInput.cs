using Relayguard.Contracts;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Api;

/// <summary>Parses and checks the subjects and codes of allowlist requests, adding each problem to <see cref="ApiErrors"/> under its field.</summary>
internal static class AllowlistInput
{
    /// <summary>Decodes a subject from the path as <see cref="ApiInput.PathSubject"/> does, and normalises it as an allowlist subject.</summary>
    public static string? PathSubject(string? kind, string encoded, ApiErrors errors) =>
        Subject(kind, ApiInput.DecodeSlashes(encoded), errors);

    /// <summary>
    /// Normalises the subject of an allowlist entry: an account name, an IP address, or a CIDR range of any length.
    /// A single IPv6 address stays one address; write its /64 prefix to cover the whole customer network.
    /// </summary>
    public static string? Subject(string? kind, string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("subject", "Missing subject: use an account such as alice, an address such as 203.0.113.5 or a range such as 192.0.2.0/24.");
            return null;
        }

        if (kind is null)
        {
            return null;
        }

        text = text.Trim();
        if (kind == BlockKinds.Account)
        {
            if (text.Contains('/', StringComparison.Ordinal))
            {
                errors.Add("subject", $"Invalid account name '{text}': an allowlist entry names a whole account, without '/IP'. Add an ip entry to exempt an address.");
                return null;
            }

            return BlockSubjects.TryParse(kind, text, out var account, out var accountError) ? account : AddError(errors, accountError);
        }

        if (NetworkAddress(text) is { } network)
        {
            return AddError(errors, $"'{text}' has host bits set after the /{network.PrefixLength} prefix. Use its network address, {network.Text}, for the whole range, or the address alone for one host.");
        }

        return IpKeys.TryNormalizeSubject(text, out var subject)
            ? subject
            : AddError(errors, $"'{text}' is not an IP address or CIDR range. Use an address such as 203.0.113.5 or a range such as 192.0.2.0/24 or 2001:db8::/48.");
    }

    /// <summary>
    /// Returns the network of a CIDR range whose address has bits set after the prefix (<c>127.0.0.5/24</c> gives
    /// <c>127.0.0.0/24</c>), or null for any other text. Such a range would otherwise be widened without a word.
    /// </summary>
    private static (string Text, int PrefixLength)? NetworkAddress(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !System.Net.IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefixLength)
            || prefixLength > address.GetAddressBytes().Length * 8)
        {
            return null;
        }

        var network = IpKeys.Mask(address, prefixLength);
        return network.Equals(address) ? null : ($"{network}/{prefixLength}", prefixLength);
    }

    /// <summary>Reads the rule code of an allowlist entry: one of <see cref="IAllowlistStore.Codes"/>, or <c>all</c> (or nothing) for every rule, returned as null.</summary>
    public static string? Code(string? text, ApiErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var code = text.Trim().ToUpperInvariant();
        if (!IAllowlistStore.Codes.Contains(code))
        {
            var hint = code == RuleCodes.Op1 ? " OP1 blocks are set by hand: lift them instead." : string.Empty;
            errors.Add("code", $"Invalid code '{text}': use one of {string.Join(", ", IAllowlistStore.Codes)}, or all for every rule.{hint}");
            return null;
        }

        return code;
    }

    private static string? AddError(ApiErrors errors, string message)
    {
        errors.Add("subject", message);
        return null;
    }
}
