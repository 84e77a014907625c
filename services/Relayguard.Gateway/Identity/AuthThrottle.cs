using System.Security.Cryptography;
using System.Text;

namespace Relayguard.Gateway.Identity;

/// <summary>
/// Counts failed logins per client address and user name, and refuses AUTH for a while after too many:
/// <see cref="AuthThrottleOptions.Failures"/> failures for one user name throttle that name from that address,
/// and failures for <see cref="AuthThrottleOptions.UserNames"/> distinct names throttle the whole address.
/// State is in memory, per gateway instance, and bounded: a throttled address or pair records no more failures. The
/// throttles in force are also saved in <see cref="AuthThrottleJournal"/>, so a restart keeps them.
/// </summary>
public sealed class AuthThrottle
{
    // Above this many tracked addresses, entries with nothing recent are dropped before a new one is added.
    private const int PruneAbove = 10_000;
    private const int MaxUserNameLength = 320;

    // Keys the fingerprints of user names for this process only, so a fingerprint in a log cannot be looked up elsewhere.
    private static readonly byte[] FingerprintKey = RandomNumberGenerator.GetBytes(32);

    private readonly AuthThrottleOptions _options;
    private readonly TimeProvider _time;
    private readonly AuthThrottleJournal? _journal;
    private readonly Dictionary<string, AddressState> _addresses = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates the throttle; with a <paramref name="journal"/>, the throttles it saved before a restart are in force again.</summary>
    public AuthThrottle(AuthThrottleOptions options, TimeProvider time, AuthThrottleJournal? journal = null)
    {
        _options = options;
        _time = time;
        _journal = journal;
        foreach (var saved in journal?.Load() ?? [])
        {
            if (!_addresses.TryGetValue(saved.ClientKey, out var state))
            {
                state = new AddressState();
                _addresses[saved.ClientKey] = state;
            }

            if (saved.UserName is null)
            {
                state.AddressUntil = saved.Until;
            }
            else
            {
                state.PairUntil[saved.UserName] = saved.Until;
            }
        }
    }

    /// <summary>Addresses with failures or throttles in memory.</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _addresses.Count;
            }
        }
    }

    /// <summary>
    /// Returns how logs and events name a user: the name itself when it belongs to an account, otherwise
    /// <c>#</c> and a fingerprint. A name that matches no account may be a password typed into the wrong field,
    /// so it is never written out.
    /// </summary>
    public static string Label(string userName, bool known) => known ? userName : "#" + Fingerprint(userName);

    /// <summary>The first 8 hex digits of a keyed hash of the normalised user name, stable for the life of the process.</summary>
    public static string Fingerprint(string userName) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(FingerprintKey, Encoding.UTF8.GetBytes(Normalize(userName))), 0, 4);

    /// <summary>Returns whether AUTH for this user name from this address is refused now, and until when.</summary>
    public bool IsThrottled(string clientKey, string userName, out DateTimeOffset until)
    {
        var now = _time.GetUtcNow();
        var user = Normalize(userName);
        lock (_gate)
        {
            until = default;
            if (!_addresses.TryGetValue(clientKey, out var state))
            {
                return false;
            }

            if (state.AddressUntil is { } whole && whole > now)
            {
                until = whole;
                return true;
            }

            if (state.PairUntil.TryGetValue(user, out var pair) && pair > now)
            {
                until = pair;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Records a failed login and returns the throttles it started: none, the pair, the whole address, or both. A
    /// throttle of the whole address is saved in the journal, and so is one of the pair when <paramref name="userKnown"/>
    /// shows that the name belongs to an account.
    /// </summary>
    public IReadOnlyList<ThrottleStart> RecordFailure(string clientKey, string userName, bool userKnown = false)
    {
        var now = _time.GetUtcNow();
        var user = Normalize(userName);
        var started = new List<ThrottleStart>();
        lock (_gate)
        {
            if (!_addresses.TryGetValue(clientKey, out var state))
            {
                if (_addresses.Count >= PruneAbove)
                {
                    Prune(now);
                }

                state = new AddressState();
                _addresses[clientKey] = state;
            }

            state.Failures.RemoveAll(f => f.At <= now - _options.Window);
            state.Failures.Add((now, user));
            var until = now + _options.BlockFor;
            var distinct = state.Failures.Select(f => f.User).Distinct(StringComparer.Ordinal).Count();
            var forUser = state.Failures.Count(f => f.User == user);
            if (forUser >= _options.Failures && !(state.PairUntil.TryGetValue(user, out var pair) && pair > now))
            {
                state.PairUntil[user] = until;
                started.Add(new ThrottleStart(clientKey, user, forUser, distinct, now, until));
            }

            if (distinct >= _options.UserNames && !(state.AddressUntil is { } whole && whole > now))
            {
                state.AddressUntil = until;
                started.Add(new ThrottleStart(clientKey, null, state.Failures.Count, distinct, now, until));
            }
        }

        foreach (var start in started.Where(start => start.UserName is null || userKnown))
        {
            _journal?.Save(clientKey, start.UserName, start.Until);
        }

        return started;
    }

    /// <summary>Forgets the failures of this user name from this address after a successful login.</summary>
    public void RecordSuccess(string clientKey, string userName)
    {
        var user = Normalize(userName);
        lock (_gate)
        {
            if (_addresses.TryGetValue(clientKey, out var state))
            {
                state.Failures.RemoveAll(f => f.User == user);
            }
        }
    }

    /// <summary>
    /// Ends throttles after an operator lifted them: the pair when both are given, every pair of the user when
    /// <paramref name="clientKey"/> is null, and the address with all its pairs when <paramref name="userLabel"/> is
    /// null. The user is named as <see cref="Label"/> names it. Returns the number of throttles ended.
    /// </summary>
    public int Lift(string? clientKey, string? userLabel)
    {
        var user = userLabel is null ? null : Normalize(userLabel);
        _journal?.Delete(clientKey, user);
        var lifted = 0;
        lock (_gate)
        {
            foreach (var (key, state) in _addresses)
            {
                if (clientKey is not null && key != clientKey)
                {
                    continue;
                }

                if (user is null)
                {
                    lifted += (state.AddressUntil is null ? 0 : 1) + state.PairUntil.Count;
                    state.AddressUntil = null;
                    state.PairUntil.Clear();
                    state.Failures.Clear();
                }
                else
                {
                    foreach (var name in state.PairUntil.Keys.Where(name => Matches(name, user)).ToList())
                    {
                        state.PairUntil.Remove(name);
                        lifted++;
                    }

                    state.Failures.RemoveAll(f => Matches(f.User, user));
                }
            }
        }

        return lifted;
    }

    private void Prune(DateTimeOffset now)
    {
        var idle = _addresses
            .Where(entry => entry.Value.IsIdle(now, _options.Window))
            .Select(entry => entry.Key)
            .ToList();
        foreach (var key in idle)
        {
            _addresses.Remove(key);
        }
    }

    private static bool Matches(string user, string label) =>
        user == label || (label.StartsWith('#') && "#" + Fingerprint(user) == label);

    private static string Normalize(string userName)
    {
        var trimmed = userName.Trim();
        return (trimmed.Length > MaxUserNameLength ? trimmed[..MaxUserNameLength] : trimmed).ToLowerInvariant();
    }

    private sealed class AddressState
    {
        public List<(DateTimeOffset At, string User)> Failures { get; } = [];

        public Dictionary<string, DateTimeOffset> PairUntil { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? AddressUntil { get; set; }

        public bool IsIdle(DateTimeOffset now, TimeSpan window) =>
            (AddressUntil is null || AddressUntil <= now)
            && PairUntil.Values.All(until => until <= now)
            && Failures.All(f => f.At <= now - window);
    }
}
