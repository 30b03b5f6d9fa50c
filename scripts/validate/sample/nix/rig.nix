# Rendered by rig: NixOS module for the AI workstation (hand-written sample for selftest.sh).
{ config, lib, pkgs, ... }:
{
  boot.kernelParams = [
    "isolcpus=managed_irq,8-15"
    "nohz_full=8-15"
    "rcu_nocbs=8-15"
    "irqaffinity=0-7,16-27"
  ];
  nixpkgs.config.allowUnfree = true;
  hardware.graphics.enable = true;
  hardware.nvidia.open = true;
  hardware.nvidia.package = config.boot.kernelPackages.nvidiaPackages.production;
  services.xserver.videoDrivers = [ "nvidia" ];
  environment.systemPackages = [
    pkgs.git
    pkgs.curl
    pkgs.cudaPackages.cudatoolkit
  ] ++ (with pkgs; [ htop nvtopPackages.nvidia ]);
  systemd.slices."rig-ollama".sliceConfig = {
    AllowedCPUs = "12-15";
    MemoryMax = "16G";
  };
  systemd.services.ollama.serviceConfig.Slice = "rig-ollama.slice";
  systemd.services.rig-gpu-power = {
    description = "rig: GPU power limits";
    wantedBy = [ "multi-user.target" ];
    serviceConfig = {
      Type = "oneshot";
      ExecStart = "${config.boot.kernelPackages.nvidiaPackages.production.bin}/bin/nvidia-smi --id=0 --power-limit=300";
    };
  };
  services.ollama.enable = true;
  services.ollama.acceleration = lib.mkDefault "cuda";
}
