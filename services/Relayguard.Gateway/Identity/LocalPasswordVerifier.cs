namespace Relayguard.Gateway.Identity;

/// <summary>Checks passwords against the local <see cref="AccountStore"/>.</summary>
public sealed class LocalPasswordVerifier(AccountStore accounts) : IPasswordVerifier
{
    public async ValueTask<PasswordCheck> VerifyAsync(PasswordRequest request, CancellationToken cancellationToken)
    {
        // PBKDF2 is slow on purpose, so it runs off the connection's I/O path.
        var account = await Task.Run(() => accounts.Verify(request.UserName, request.Password), cancellationToken);
        if (account is not null)
        {
            return PasswordCheck.Valid(account);
        }

        return accounts.Exists(request.UserName) ? PasswordCheck.WrongPassword : PasswordCheck.Invalid;
    }
}
