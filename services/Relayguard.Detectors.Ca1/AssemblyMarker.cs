namespace Relayguard.Detectors.Ca1;
internal static class AssemblyMarker;
