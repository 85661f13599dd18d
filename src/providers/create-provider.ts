/** Builds the DeployProvider a catalog entry names; one case per provider type. */
import type { ProviderConfig } from '../config/catalog-schema';
import type { DeployProvider } from '../domain/ports';
import { ArgoCdProvider } from './argocd/argocd-provider';
import { BlueGreenProvider } from './bluegreen/bluegreen-provider';
import type { ProviderDeps, ProviderSite } from './provider-site';
import { FlyProvider } from './fly/fly-provider';
import { GitProvider } from './git/git-provider';
import { HerokuProvider } from './heroku/heroku-provider';
import { RenderProvider } from './render/render-provider';
import { VercelProvider } from './vercel/vercel-provider';

/*
 * The Kubernetes client (about 40 MB of heap) and Octokit are loaded only by a process whose catalog
 * names those platforms: an ingress for a Slack team on Render should not carry them.
 */
const loadKubernetes = () => require('./kubernetes/kubernetes-provider') as typeof import('./kubernetes/kubernetes-provider');
const loadGithub = () => require('./github/github-provider') as typeof import('./github/github-provider');

export function createProvider(config: ProviderConfig, deps: ProviderDeps, site: ProviderSite): DeployProvider {
  switch (config.type) {
    case 'bluegreen':
      return new BlueGreenProvider(config, deps);
    case 'render':
      return new RenderProvider(config, deps, site);
    case 'fly':
      return new FlyProvider(config, deps, site);
    case 'heroku':
      return new HerokuProvider(config, deps, site);
    case 'vercel':
      return new VercelProvider(config, deps, site);
    case 'argocd':
      return new ArgoCdProvider(config, deps, site);
    case 'github':
      return new (loadGithub().GithubProvider)(config, deps, site);
    case 'kubernetes':
      return new (loadKubernetes().KubernetesProvider)(config, deps, site);
    case 'git':
      return new GitProvider(config, deps, config.live && 'provider' in config.live ? createProvider(config.live.provider, deps, { ...site, holdAfterRollback: false }) : undefined);
    default: {
      // The catalog schema admits only known types; this keeps the switch exhaustive as types are added.
      const unknown: never = config;
      throw new Error(`no provider for type ${String((unknown as { type: string }).type)}`);
    }
  }
}
