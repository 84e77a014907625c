using System.Text;

namespace Relayguard.Gateway.Smtp;

/// <summary>AUTH PLAIN (RFC 4616) and AUTH LOGIN, with or without an initial response (RFC 4954).</summary>
public sealed partial class SmtpConnection
{
    private async ValueTask<SmtpReply> AuthAsync(SmtpInput input, string argument, CancellationToken cancellationToken)
    {
        if (!_options.OfferAuth)
        {
            return new SmtpReply(502, "5.5.1", "AUTH is not available on this port");
        }

        if (!AuthAllowed)
        {
            return new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism: use STARTTLS first");
        }

        if (_session.HeloName is null || !_session.IsExtended)
        {
            return new SmtpReply(503, "5.5.1", "Send EHLO first");
        }

        if (_session.Account is not null)
        {
            return new SmtpReply(503, "5.5.1", "Already authenticated");
        }

        if (_transaction is not null)
        {
            return new SmtpReply(503, "5.5.1", "AUTH is not allowed during a mail transaction");
        }

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return new SmtpReply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        }

        var mechanism = parts[0].ToUpperInvariant();
        var initial = parts.Length > 1 ? parts[1].Trim() : null;
        string userName;
        string password;
        switch (mechanism)
        {
            case "PLAIN":
                var plain = initial ?? await ChallengeAsync(input, string.Empty, cancellationToken);
                if (plain is null)
                {
                    return Cancelled();
                }

                if (plain == TooLongResponse)
                {
                    return ResponseTooLong();
                }

                if (!TryDecode(plain == "=" ? string.Empty : plain, out var plainText))
                {
                    return InvalidBase64();
                }

                // authzid NUL authcid NUL passwd; an authorization identity other than the login is not supported.
                var fields = plainText.Split('\0');
                if (fields.Length != 3 || fields[1].Length == 0)
                {
                    return new SmtpReply(501, "5.5.2", "Invalid PLAIN response: expected authzid NUL user NUL password");
                }

                if (fields[0].Length > 0 && fields[0] != fields[1])
                {
                    return new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
                }

                userName = fields[1];
                password = fields[2];
                break;

            case "LOGIN":
                string? encodedUser = initial;
                encodedUser ??= await ChallengeAsync(input, "VXNlcm5hbWU6", cancellationToken);
                if (encodedUser is null)
                {
                    return Cancelled();
                }

                if (encodedUser == TooLongResponse)
                {
                    return ResponseTooLong();
                }

                if (!TryDecode(encodedUser, out userName))
                {
                    return InvalidBase64();
                }

                var encodedPassword = await ChallengeAsync(input, "UGFzc3dvcmQ6", cancellationToken);
                if (encodedPassword is null)
                {
                    return Cancelled();
                }

                if (encodedPassword == TooLongResponse)
                {
                    return ResponseTooLong();
                }

                if (!TryDecode(encodedPassword, out password))
                {
                    return InvalidBase64();
                }

                break;

            default:
                return new SmtpReply(504, "5.5.4", $"Unrecognized authentication mechanism {mechanism}: use PLAIN or LOGIN");
        }

        SmtpReply reply;
        try
        {
            reply = await _handler.AuthenticateAsync(_session, userName, password, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A throttle that starts is saved to the database: a full disk fails it, and the client gets a reply all the same.
            Log.AuthHandlerFailed(_logger, ex, _session.SessionId);
            return new SmtpReply(454, "4.7.0", "Temporary authentication failure");
        }

        if (reply.Code == 235)
        {
            // The handler may have set the account's canonical name already (a different case, or Dovecot's user=).
            _session.Account ??= userName;
        }

        return reply;
    }

    /// <summary>
    /// Sends a 334 challenge and reads the response line. Returns null when the client cancelled with "*" or left,
    /// and <see cref="TooLongResponse"/> for a line over <see cref="SmtpLimits.AuthLineLength"/>, which was discarded.
    /// </summary>
    private async ValueTask<string?> ChallengeAsync(SmtpInput input, string challenge, CancellationToken cancellationToken)
    {
        Write(new SmtpReply(334, null, challenge));
        var line = await input.ReadLineAsync(Limits.AuthLineLength, cancellationToken);
        if (line is null || line.Text == "*")
        {
            return null;
        }

        return line.IsTooLong ? TooLongResponse : line.Text;
    }

    private static bool TryDecode(string base64, out string text)
    {
        text = string.Empty;
        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written))
        {
            return false;
        }

        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // Not valid base64, so it can never be mistaken for a response that a client sent.
    private const string TooLongResponse = "!too-long";

    private static SmtpReply Cancelled() => new(501, "5.7.0", "Authentication cancelled");

    private SmtpReply ResponseTooLong() => new(500, "5.5.6", $"Authentication exchange line too long: the limit is {Limits.AuthLineLength} octets");

    private static SmtpReply InvalidBase64() => new(501, "5.5.2", "Invalid base64 data in the authentication response");
}
