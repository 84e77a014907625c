namespace Relayguard.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (a 4xx such as 404).</summary>
    public const int Refused = 1;

    public const int Usage = 2;

    public const int Unreachable = 3;
}
