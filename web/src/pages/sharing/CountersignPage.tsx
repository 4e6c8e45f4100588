import { ApplicationListPage } from '../../components/sharing/ApplicationList';

export default function CountersignPage() {
  return <ApplicationListPage scope="countersign" />;
}
