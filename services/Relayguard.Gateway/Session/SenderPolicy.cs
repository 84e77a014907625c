using Microsoft.Extensions.Options;

namespace Relayguard.Gateway.Session;

/// <summary>Decides whether an account may use an envelope sender address, from <see cref="SenderPolicyOptions"/>.</summary>
public sealed class SenderPolicy
{
    public const string Off = "off";
    public const string Log = "log";
    public const string Refuse = "refuse";

    private readonly Dictionary<string, string[]> _allowed;

    public SenderPolicy(IOptions<SenderPolicyOptions> options)
    {
        Mode = options.Value.Policy.Trim().ToLowerInvariant();
        _allowed = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (account, entries) in options.Value.Accounts)
        {
            _allowed[account] = entries
                .Where(entry => !string.IsNullOrWhiteSpace(entry))
                .Select(entry => entry.Trim().TrimStart('@'))
                .ToArray();
        }
    }

    /// <summary><see cref="Off"/>, <see cref="Log"/> or <see cref="Refuse"/>.</summary>
    public string Mode { get; }

    public static bool IsValidMode(string? mode) => mode?.Trim().ToLowerInvariant() is Off or Log or Refuse;

    /// <summary>
    /// Returns whether the account may send as <paramref name="sender"/>. The null sender is always allowed, and so is
    /// any sender of an account with no list whose name is not an address.
    /// </summary>
    public bool IsAllowed(string account, string sender)
    {
        if (sender.Length == 0)
        {
            return true;
        }

        if (!_allowed.TryGetValue(account, out var entries))
        {
            return !account.Contains('@', StringComparison.Ordinal) || string.Equals(account, sender, StringComparison.OrdinalIgnoreCase);
        }

        if (string.Equals(account, sender, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var at = sender.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : sender[(at + 1)..];
        foreach (var entry in entries)
        {
            var matches = entry.Contains('@', StringComparison.Ordinal)
                ? string.Equals(entry, sender, StringComparison.OrdinalIgnoreCase)
                : string.Equals(entry, domain, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}
