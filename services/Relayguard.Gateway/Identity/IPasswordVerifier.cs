namespace Relayguard.Gateway.Identity;

/// <summary>Checks a user name and password from SMTP AUTH against an account source.</summary>
public interface IPasswordVerifier
{
    /// <summary>Returns whether the password is valid, with the account's canonical name; never throws for a wrong password or an unreachable source.</summary>
    ValueTask<PasswordCheck> VerifyAsync(PasswordRequest request, CancellationToken cancellationToken);
}
