namespace Relayguard.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (a 4xx such as 404).</summary>
    public const int Refused = 1;

    public const int Usage = 2;

    /// <summary>The API could not be reached, did not answer in time, or failed with a 5xx status.</summary>
    public const int Unreachable = 3;

    /// <summary><c>relayguard run</c> could not start: an address it must listen on, or its data folder, is in use by another process.</summary>
    public const int AddressInUse = 4;
}
