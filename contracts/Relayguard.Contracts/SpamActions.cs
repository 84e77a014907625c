namespace Relayguard.Contracts;

/// <summary>Rspamd action names as they appear in <c>/checkv2</c> replies, plus the gateway's own "not scanned".</summary>
public static class SpamActions
{
    public const string NotScanned = "not scanned";
    public const string Reject = "reject";
    public const string SoftReject = "soft reject";
    public const string RewriteSubject = "rewrite subject";
    public const string AddHeader = "add header";
    public const string Greylist = "greylist";
    public const string NoAction = "no action";
}
