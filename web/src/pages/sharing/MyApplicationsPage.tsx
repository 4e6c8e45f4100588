import { ApplicationListPage } from '../../components/sharing/ApplicationList';

export default function MyApplicationsPage() {
  return <ApplicationListPage scope="mine" />;
}
