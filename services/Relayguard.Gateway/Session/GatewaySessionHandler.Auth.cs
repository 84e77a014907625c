using Microsoft.Extensions.Logging;
using Relayguard.Contracts;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>AUTH: the throttle, the password check, and the flag for logins from many networks.</summary>
public sealed partial class GatewaySessionHandler
{
    private static readonly SmtpReply AuthUnavailable = new(454, "4.7.0", "Temporary authentication failure, try again later");

    public async ValueTask<SmtpReply> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        var clientIp = ClientIp(session);
        var clientKey = IpKeys.BlockKey(session.RemoteEndPoint.Address);

        // A throttled pair or address is refused before the password is checked, so guessing goes no further.
        if (_throttle.IsThrottled(clientKey, userName, out var until))
        {
            LogAuthThrottled(_logger, clientIp, AuthThrottle.Label(userName, known: false), until);
            return Replies.TooManyFailedLogins;
        }

        var request = new PasswordRequest(userName, password, session.RemoteEndPoint.Address, session.LocalEndPoint.Address, session.IsTls);
        var check = await _passwords.VerifyAsync(request, cancellationToken);
        switch (check.Result)
        {
            case PasswordResult.Unavailable:
                LogAuthUnavailable(_logger, clientIp, AuthThrottle.Label(userName, known: false), check.Error ?? "unknown error");
                return AuthUnavailable;

            case PasswordResult.Invalid:
                var label = check.UserKnown ? LogSafe(userName) : AuthThrottle.Label(userName, known: false);
                if (check.UserKnown)
                {
                    LogAuthFailed(_logger, clientIp, label, AuthThrottle.Fingerprint(userName));
                }
                else
                {
                    LogAuthFailedUnknownName(_logger, clientIp, label);
                }

                RelayguardTelemetry.AuthFailures.Add(1);
                foreach (var start in _throttle.RecordFailure(clientKey, userName, check.UserKnown))
                {
                    await PublishThrottleAsync(start, start.UserName is null ? null : label);
                }

                return _replies.CredentialsInvalid();

            default:
                // The store keeps the spelling the account was added with, and Dovecot may return any case.
                var account = AccountNames.Canonical(check.Account!);
                _throttle.RecordSuccess(clientKey, userName);
                session.Account = account;
                LogAuthSucceeded(_logger, clientIp, account);
                var networks = _loginNetworks.RecordLogin(account, session.RemoteEndPoint.Address);
                if (networks is not null)
                {
                    await PublishManyNetworksAsync(account, networks);
                }

                return new SmtpReply(235, "2.7.0", "Authentication successful");
        }
    }

    /// <summary>Logs and publishes a throttle; <paramref name="userLabel"/> names the user as <see cref="AuthThrottle.Label"/> does, null for a whole address.</summary>
    private Task PublishThrottleAsync(ThrottleStart start, string? userLabel)
    {
        var options = _authOptions.Throttle;
        var reason = start.UserName is null
            ? $"failed logins for {start.DistinctUserNames} different user names within {Durations.Format(options.Window)}"
            : $"{start.Failures} failed logins for one user name within {Durations.Format(options.Window)}";
        LogThrottleStarted(_logger, start.ClientKey, userLabel ?? "every user name", start.Until, reason);
        var message = new AuthThrottled
        {
            EventId = Guid.CreateVersion7(_time.GetUtcNow()),
            ClientIp = start.ClientKey,
            UserName = userLabel,
            Failures = start.Failures,
            DistinctUserNames = start.DistinctUserNames,
            WindowSeconds = (int)options.Window.TotalSeconds,
            Reason = reason,
            Gateway = _options.HostName ?? System.Net.Dns.GetHostName(),
            ThrottledAt = start.At,
            ExpiresAt = start.Until,
        };
        return _outbox.EnqueueAsync(message, message.EventId);
    }

    private Task PublishManyNetworksAsync(string account, IReadOnlyList<string> networks)
    {
        var window = _authOptions.LoginNetworks.Window;
        LogManyNetworks(_logger, account, networks.Count, Durations.Format(window), string.Join(", ", networks));
        var message = new AccountLoggedInFromManyNetworks
        {
            EventId = Guid.CreateVersion7(_time.GetUtcNow()),
            Account = account,
            Networks = networks,
            WindowSeconds = (int)window.TotalSeconds,
            DetectedAt = _time.GetUtcNow(),
        };
        return _outbox.EnqueueAsync(message, message.EventId);
    }

    /// <summary>A user name as it may appear in a log: control characters replaced and at most 100 characters.</summary>
    private static string LogSafe(string userName)
    {
        var text = new string(userName.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return userName.Length > 100 ? text + "..." : text;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "AUTH failed from {ClientIp} for user {UserName} (fingerprint #{Fingerprint}).")]
    private static partial void LogAuthFailed(ILogger logger, string clientIp, string userName, string fingerprint);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "AUTH failed from {ClientIp} for user {Fingerprint}; the name is not logged, since it is not known to be an account.")]
    private static partial void LogAuthFailedUnknownName(ILogger logger, string clientIp, string fingerprint);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "AUTH succeeded from {ClientIp} for account {Account}.")]
    private static partial void LogAuthSucceeded(ILogger logger, string clientIp, string account);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "AUTH throttled for {UserName} from {ClientKey} until {Until:o}: {Reason}.")]
    private static partial void LogThrottleStarted(ILogger logger, string clientKey, string userName, DateTimeOffset until, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "AUTH from {ClientIp} for user {UserName} refused with 454: throttled until {Until:o}.")]
    private static partial void LogAuthThrottled(ILogger logger, string clientIp, string userName, DateTimeOffset until);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "AUTH from {ClientIp} for user {UserName} could not be checked: {Error}")]
    private static partial void LogAuthUnavailable(ILogger logger, string clientIp, string userName, string error);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Account {Account} logged in from {NetworkCount} networks within {Window}: {Networks}. Its password may have leaked.")]
    private static partial void LogManyNetworks(ILogger logger, string account, int networkCount, string window, string networks);
}
