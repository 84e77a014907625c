using Microsoft.Extensions.Options;

namespace Relayguard.Gateway.Identity;

/// <summary>Checks <see cref="AuthOptions"/> at start, with one message per invalid key that names the key and the fix.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        var provider = options.Provider.Trim();
        if (!string.Equals(provider, "local", StringComparison.OrdinalIgnoreCase) && !DovecotEndpoint.TryParse(provider, out _, out _))
        {
            errors.Add($"Invalid Auth:Provider (--auth) '{options.Provider}': use local, dovecot:HOST:PORT (for example dovecot:127.0.0.1:12345) or dovecot:/PATH of the auth socket.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Auth:Timeout must be a duration greater than zero, such as 10s, but is '{options.Timeout}'.");
        }

        var throttle = options.Throttle;
        if (throttle.Failures < 1)
        {
            errors.Add($"Auth:Throttle:Failures must be at least 1, but is {throttle.Failures}.");
        }

        if (throttle.UserNames < 1)
        {
            errors.Add($"Auth:Throttle:UserNames must be at least 1, but is {throttle.UserNames}.");
        }

        if (throttle.Window <= TimeSpan.Zero || throttle.BlockFor <= TimeSpan.Zero)
        {
            errors.Add("Auth:Throttle:Window and Auth:Throttle:BlockFor must be durations greater than zero, such as 15m.");
        }

        if (options.LoginNetworks.Count < 0 || options.LoginNetworks.Window <= TimeSpan.Zero)
        {
            errors.Add("Auth:LoginNetworks:Count must be 0 (off) or more, and Auth:LoginNetworks:Window a duration greater than zero, such as 1h.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
